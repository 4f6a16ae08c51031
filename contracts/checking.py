"""What publishing a candidate would do, answered without publishing: the diff, the
semantic-version verdict, the refusal, the consumers it affects and whether it would become
current. Read-only: a pull request's pipeline asks before merging."""

from django.core.exceptions import ValidationError

from catalog.models import ApiConsumption, ApiVersion

from . import gate, judging, semver
from .models import BreakingRelease


def _messages(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: list(messages) for field, messages in error.message_dict.items()}
    return {"__all__": list(error.messages)}


def check(api, *, version: str, spec: str) -> dict:
    """The outcome of publishing ``spec`` as ``version`` of ``api`` now."""
    candidate = ApiVersion(api=api, version=version, spec=spec)
    refusals: dict[str, list[str]] = {}
    try:
        candidate.full_clean(validate_unique=False, validate_constraints=False)
        valid = True
    except ValidationError as error:  # compared anyway, where it can be read
        valid = candidate._valid = False
        refusals.update(_messages(error))
    if api.versions.filter(version=version).exists():
        refusals.setdefault("version", []).append(
            "This version is already published; publish a new version instead."
        )
    judgement = judging.judge([candidate])[0]
    if judgement.refusal is not None:
        for field, messages in _messages(judgement.refusal).items():
            refusals.setdefault(field, []).extend(messages)
    comparison = judgement.comparison.as_dict() if judgement.comparison is not None else None
    consumers = _consumers(api, version, judgement.bump) if judgement.breaking else []
    return {
        "api": api.slug,
        "version": version,
        "base_version": judgement.base or None,
        "bump": judgement.bump or None,
        "policy": judgement.policy,
        "verdict": comparison["verdict"] if comparison else "first",
        "comparable": comparison["comparable"] if comparison else True,
        "counts": comparison["counts"] if comparison else {},
        "changes": comparison["changes"] if comparison else [],
        "problems": comparison["problems"] if comparison else [],
        "valid": valid,
        "notes": judgement.notes,
        "would_publish": not refusals,
        "refusals": refusals,
        "consumers": consumers,
        "would_become_current": not refusals
        and _would_be_current(api, version, any(c["affected"] for c in consumers)),
    }


def _consumers(api, version: str, bump: str) -> list[dict]:
    rows = (
        ApiConsumption.objects.filter(api=api)
        .select_related("consumer__owner_team")
        .order_by("consumer__slug")
    )
    listed = []
    for consumption in rows:
        includes = semver.includes(consumption.version_requirement, version)
        listed.append(
            {
                "consumer": consumption.consumer.slug,
                "owner_team": consumption.consumer.owner_team.slug,
                "version_requirement": consumption.version_requirement,
                "includes_version": includes,
                "affected": gate.affected(includes, bump),
            }
        )
    return listed


def _would_be_current(api, version: str, gated: bool) -> bool:
    labels = list(api.versions.order_by("published_at", "id").values_list("version", flat=True))
    held = set(
        BreakingRelease.objects.filter(api=api, state=BreakingRelease.State.OPEN).values_list(
            "version__version", flat=True
        )
    )
    if gated:
        held.add(version)
    return gate.current_of([*labels, version], held, api.current_version) == version
