"""Which version an API's consumers are pointed at, and what holds a breaking one back.

A version with breaking changes opens a ``BreakingRelease`` listing every consumer, with
whether its declared range admits the new version. While a release is open, the current
version stays below it: versions are ordered semantically when every label is a semantic
version (else in publishing order), and current is the highest version below the lowest open
release above it. Current never moves backwards. A release opens no gate when every
consumer's range already admits it.
"""

from django.utils import timezone

from catalog import publishing
from catalog.models import ApiConsumption, ApiVersion
from notifications.actions import send_all
from portal import copying
from portal.audit import change_record, record_changes, snapshot
from portal.models import ChangeRecord

from . import notices, semver
from .models import BreakingRelease, ConsumerImpact, VersionDiff


def record(judgements: list, *, actor, via: str) -> None:
    """Store each published version's diff and, for breaking ones, its release with the
    consumers' impact; then move the APIs' current versions. Called in the publishing write."""
    now = timezone.now()
    copying.insert([_diff(judgement, now) for judgement in judgements])
    breaking = [j for j in judgements if j.breaking]
    if breaking:
        _open_releases(breaking, now, actor=actor, via=via)
    move_current([j.version.api for j in {j.version.api_id: j for j in judgements}.values()],
                 actor=actor, via=via)  # fmt: skip


def affected(includes_version: bool | None, bump: str) -> bool:
    """Is a consumer held to a breaking version? Not when its declared range admits it as a
    new major (``>=1``, ``^1 || ^2``: it says it is ready). A range that admits a breaking
    change without a major version (published under a warning policy) only shows that the
    consumer would take the break unawares: it is affected."""
    return not (includes_version is True and bump == semver.MAJOR)


def _diff(judgement, now) -> VersionDiff:
    comparison = judgement.comparison
    data = comparison.as_dict() if comparison is not None else None
    return VersionDiff(
        version=judgement.version,
        base_version=judgement.base,
        verdict=data["verdict"] if data else "first",
        comparable=comparison.comparable if comparison is not None else True,
        counts=data["counts"] if data else {},
        changes=data["changes"] if data else [],
        problems=data["problems"] if data else [],
        bump=judgement.bump,
        policy=judgement.policy,
        notes=judgement.notes,
        computed_at=now,
    )


def _open_releases(judgements: list, now, *, actor, via: str) -> None:
    consumptions: dict[int, list] = {}
    for consumption in ApiConsumption.objects.filter(
        api_id__in={j.version.api_id for j in judgements}
    ).select_related("consumer"):
        consumptions.setdefault(consumption.api_id, []).append(consumption)
    releases, impacts, told = [], [], []
    for judgement in judgements:
        version = judgement.version
        release = BreakingRelease(
            api=version.api,
            version=version,
            base_version=judgement.base,
            created_at=now,
            updated_at=now,
        )
        listed = [
            ConsumerImpact(
                release=release,
                consumption=consumption,
                consumer_slug=consumption.consumer.slug,
                version_requirement=consumption.version_requirement,
                includes_version=(
                    includes := semver.includes(consumption.version_requirement, version.version)
                ),
                affected=affected(includes, judgement.bump),
            )
            for consumption in consumptions.get(version.api_id, [])
        ]
        if not any(impact.affected for impact in listed):
            _mark_released(release, BreakingRelease.Reason.UNAFFECTED, now)
        releases.append(release)
        impacts += listed
        told.append((release, listed, judgement.breaking))
    copying.insert(releases)
    for impact in impacts:
        impact.release = impact.release  # the release's id, drawn on insert
    copying.insert(impacts)
    send_all(
        [
            note
            for release, listed, breaking in told
            if release.state == BreakingRelease.State.OPEN
            for note in notices.breaking_published(release, listed, breaking)
        ]
    )
    record_changes(
        [
            change_record(
                actor=actor, via=via, action=ChangeRecord.Action.CREATE, obj=release,
                after=snapshot(release), parent=release.api,
            )
            for release in releases
        ]
    )  # fmt: skip


def _mark_released(release: BreakingRelease, reason: str, now) -> None:
    release.state = BreakingRelease.State.RELEASED
    release.released_because = reason
    release.released_at = now


def blocking(release: BreakingRelease) -> list[ConsumerImpact]:
    """The impacts that still hold ``release`` back: affected, consuming, unacknowledged."""
    return [
        impact
        for impact in release.impacts.all()
        if impact.consumption_id is not None and impact.affected and impact.acknowledged_at is None
    ]


def release_if_ready(release: BreakingRelease, *, actor, via: str, reason=None) -> bool:
    """Release ``release`` (locked, with its API locked) when nothing holds it back any more,
    or for ``reason`` (a sunset); move the API's current version. True when released."""
    if release.state != BreakingRelease.State.OPEN:
        return False
    if reason is None:
        if blocking(release):
            return False
        reason = BreakingRelease.Reason.READY
    before = snapshot(release)
    _mark_released(release, reason, timezone.now())
    release.save(update_fields=["state", "released_because", "released_at", "updated_at"])
    record_changes(
        [
            change_record(
                actor=actor, via=via, action=ChangeRecord.Action.UPDATE, obj=release,
                before=before, after=snapshot(release), parent=release.api,
            )
        ]
    )  # fmt: skip
    move_current([release.api], actor=actor, via=via)
    if reason == BreakingRelease.Reason.READY:
        notices.released(release)
    return True


def ordered(labels: list[str]) -> list[str]:
    """An API's labels (in publishing order) from lowest to highest."""
    if all(semver.parse(label) is not None for label in labels):
        return sorted(labels, key=semver.parse)  # stable: equal versions keep publishing order
    return list(labels)


def current_of(labels: list[str], open_labels: set[str], current: str) -> str:
    """The version consumers should be pointed at (see the module's docstring)."""
    order = ordered(labels)
    index = {label: i for i, label in enumerate(order)}
    now = index.get(current, -1)
    held = [index[label] for label in open_labels if index.get(label, -1) > now]
    top = min(held, default=len(order)) - 1
    return order[top] if top > now else current


def move_current(apis: list, *, actor, via: str) -> None:
    """Set each API's current version (each API locked by the caller's write)."""
    ids = [api.pk for api in apis]
    labels: dict[int, list[str]] = {}
    for api_id, label in (
        ApiVersion.objects.filter(api_id__in=ids)
        .order_by("published_at", "id")
        .values_list("api_id", "version")
    ):
        labels.setdefault(api_id, []).append(label)
    held: dict[int, set[str]] = {}
    for api_id, label in BreakingRelease.objects.filter(
        api_id__in=ids, state=BreakingRelease.State.OPEN
    ).values_list("api_id", "version__version"):
        held.setdefault(api_id, set()).add(label)
    publishing.set_current(
        [
            (api, current_of(labels.get(api.pk, []), held.get(api.pk, set()), api.current_version))
            for api in apis
        ],
        actor=actor,
        via=via,
    )
