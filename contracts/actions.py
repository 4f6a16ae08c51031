"""Every write of contract governance (``portal.writes`` mechanics, as in ``catalog.actions``).

Locks follow the owner path first (a consumer's team, service and consumption for an
acknowledgement; the provider's team, service and API for a sunset), then the API and the
breaking release: every path that may release a version takes those two last, in that order,
so that two consumer teams acknowledging at once queue and the second sees the first.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog.models import Api
from portal import permissions
from portal.writes import atomic_write, locked, save_changes, save_new

from . import gate, notices, semver
from .models import BreakingRelease, ConsumerImpact, ContractPolicy


def _lock_release(release_id: int) -> BreakingRelease:
    """The release and its API, locked (API first), for a write that may release it."""
    api_id = BreakingRelease.objects.values_list("api_id", flat=True).get(pk=release_id)
    api = Api.objects.select_for_update(no_key=True).get(pk=api_id)
    release = BreakingRelease.objects.select_for_update(no_key=True).get(pk=release_id)
    release.api = api
    return release


def acknowledge_breaking_version(impact: ConsumerImpact, *, actor, via: str) -> ConsumerImpact:
    """A consumer's team says it is ready for a breaking version (any member of the team
    that owns the consuming service, or staff). The last acknowledgement releases it."""
    if impact.consumption_id is None:
        raise ValidationError(f"{impact.consumer_slug} no longer consumes this API.")
    with atomic_write():
        current = locked(impact, actor=actor, action=permissions.CHANGE)
        release = _lock_release(current.release_id)
        if current.acknowledged_at is not None:
            raise ValidationError(f"{current.consumer_slug} has acknowledged it already.")
        if release.state != BreakingRelease.State.OPEN:
            raise ValidationError(f"{release} has been released; there is nothing to wait for.")
        by = actor if getattr(actor, "is_authenticated", False) else None
        save_changes(
            current,
            {"acknowledged_at": timezone.now(), "acknowledged_by": by},
            actor=actor,
            via=via,
            editable={"acknowledged_at", "acknowledged_by"},
        )
        gate.release_if_ready(release, actor=actor, via=via)
    return current


def set_sunset(release: BreakingRelease, *, sunset_on, actor, via: str) -> BreakingRelease:
    """The provider's team dates the end of the version line a breaking version replaces.
    At least ``KEEL_CONTRACT_SUNSET_MIN_DAYS`` ahead, it releases the new version at once:
    consumers then have that long to move, and their pages show the deadline."""
    earliest = timezone.localdate() + timedelta(days=settings.KEEL_CONTRACT_SUNSET_MIN_DAYS)
    if sunset_on is None or sunset_on < earliest:
        raise ValidationError(
            {
                "sunset_on": f"A sunset gives consumers at least "
                f"{settings.KEEL_CONTRACT_SUNSET_MIN_DAYS} days: {earliest} or later."
            }
        )
    with atomic_write():
        current = locked(release, actor=actor, action=permissions.CHANGE)
        save_changes(
            current, {"sunset_on": sunset_on}, actor=actor, via=via, editable={"sunset_on"}
        )
        notices.sunset_set(current)
        gate.release_if_ready(current, actor=actor, via=via, reason=BreakingRelease.Reason.SUNSET)
    return current


def set_contract_policy(api: Api, *, semver: str, actor, via: str) -> ContractPolicy:
    """Enforce or warn when a breaking change comes without a major version; the API's
    owners decide. The API row itself does not change, so one a descriptor manages takes
    a policy too (membership is checked as for acting as the team)."""
    with atomic_write():
        current = locked(api, actor=actor, action=permissions.CONTRIBUTE)
        policy = ContractPolicy.objects.filter(api=current).first()
        if policy is None:
            return save_new(ContractPolicy(api=current, semver=semver), actor=actor, via=via)
        policy.api = current
        return save_changes(policy, {"semver": semver}, actor=actor, via=via, editable={"semver"})


def review_consumption(sender, *, consumption, api, actor, via: str, **kwargs) -> None:
    """After a consumer changed its declared range or stopped consuming ``api`` (the
    ``catalog.signals.consumption_changed`` receiver, inside that write): update what the
    open releases of ``api`` know of it, and release those nothing holds back any more."""
    open_ids = list(
        BreakingRelease.objects.filter(api=api, state=BreakingRelease.State.OPEN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for release_id in open_ids:
        release = _lock_release(release_id)
        if consumption is not None:
            for impact in release.impacts.filter(consumption=consumption):
                includes = semver.includes(consumption.version_requirement, release.label)
                changes = {
                    "version_requirement": consumption.version_requirement,
                    "includes_version": includes,
                    "affected": gate.affected(includes, release.version.diff.bump),
                }
                save_changes(impact, changes, actor=actor, via=via, editable=set(changes))
        gate.release_if_ready(release, actor=actor, via=via)


def forget_deleted_consumer(sender, *, service, actor, via: str, **kwargs) -> None:
    """A consuming service about to be deleted holds nothing back (the
    ``catalog.signals.service_deleted`` receiver, inside that write): its impacts lose their
    consumption, and the releases of the APIs it consumed are reviewed."""
    impacts = list(ConsumerImpact.objects.filter(consumption__consumer=service).order_by("pk"))
    api_ids = sorted({impact.release.api_id for impact in impacts})
    for impact in impacts:  # recorded, as every write is
        save_changes(impact, {"consumption": None}, actor=actor, via=via, editable={"consumption"})
    for api in Api.objects.filter(pk__in=api_ids).order_by("pk"):
        review_consumption(sender, consumption=None, api=api, actor=actor, via=via)
