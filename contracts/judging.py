"""What a candidate version changes, and whether its version number says so.

A candidate is compared with its base: the highest published version below it when the labels
are semantic versions (so that a fix to an old major, 1.4.1 after 2.0.0, is compared with
1.4.0), else the most recently published one. Breaking changes need a major bump
(``semver.bump``); the API's policy decides whether a version without one is refused or only
noted. Each batch reads the versions' labels, policies and base texts in three queries,
whatever its size (the importer judges thousands at once).
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from catalog.models import Api, ApiVersion

from . import semver
from .diffing import Comparison, compare, compare_valid
from .models import ContractPolicy

# Breaking changes named in a refusal; the rest are counted.
_NAMED = 10


@dataclass
class Judgement:
    version: ApiVersion
    policy: str
    base: str = ""  # "" for an API's first version
    comparison: Comparison | None = None
    bump: str = ""
    notes: list[str] = field(default_factory=list)
    refusal: ValidationError | None = None

    @property
    def breaking(self) -> list:
        return self.comparison.breaking if self.comparison is not None else []


def policies(api_ids) -> dict[int, str]:
    """Each API's semantic-version policy: its own, else enforce for tiers 1 and 2."""
    rows = Api.objects.filter(pk__in=api_ids).values_list(
        "pk", "provider__tier", "contract_policy__semver"
    )
    return {
        pk: own or (ContractPolicy.Semver.ENFORCE if tier <= 2 else ContractPolicy.Semver.WARN)
        for pk, tier, own in rows
    }


def _base(candidate: ApiVersion, labels: list[str]) -> str:
    """The label ``candidate`` is compared with, from the API's labels in publishing order."""
    if not labels:
        return ""
    new = semver.parse(candidate.version)
    lower = [
        label for label in labels if (v := semver.parse(label)) is not None and new and v < new
    ]
    return max(lower, key=semver.sort_key) if lower else labels[-1]


def judge(versions: list[ApiVersion]) -> list[Judgement]:
    """A judgement per version (valid, saved or not), cached on the version for the publish
    that follows a check in the same write."""
    todo = [v for v in versions if getattr(v, "_contract_judgement", None) is None]
    if todo:
        api_ids = {v.api_id for v in todo}
        labels: dict[int, list[tuple[int, str]]] = {}
        for api_id, pk, label in (
            ApiVersion.objects.filter(api_id__in=api_ids)
            .order_by("published_at", "id")
            .values_list("api_id", "pk", "version")
        ):
            labels.setdefault(api_id, []).append((pk, label))
        policy = policies(api_ids)
        judgements = []
        for version in todo:
            others = [label for pk, label in labels.get(version.api_id, []) if pk != version.pk]
            judgements.append(
                Judgement(version, policy.get(version.api_id, ""), _base(version, others))
            )
        bases = {
            (api_id, label): spec
            for api_id, label, spec in ApiVersion.objects.filter(
                api_id__in={j.version.api_id for j in judgements if j.base},
                version__in={j.base for j in judgements if j.base},
            ).values_list("api_id", "version", "spec")
        }
        for judgement in judgements:
            _rule(judgement, bases)
            judgement.version._contract_judgement = judgement
            # read by the comparison only: an import judging thousands need not keep them
            judgement.version.__dict__.pop("_parsed_spec", None)
    return [v._contract_judgement for v in versions]


def _rule(judgement: Judgement, bases: dict) -> None:
    """Compare with the base and hold the version number to what changed."""
    version = judgement.version
    if not judgement.base:
        return
    # Both sides passed the validator (the base when published, the candidate in its
    # full_clean) unless the candidate is a check's invalid one: then compare() lists why.
    base = bases[(version.api_id, judgement.base)]
    if getattr(version, "_valid", True):
        text, parsed = getattr(version, "_parsed_spec", (None, None))
        judgement.comparison = compare_valid(
            version.api.type, base, version.spec, parsed if text is version.spec else None
        )
    else:
        judgement.comparison = compare(version.api.type, base, version.spec)
    judgement.bump = semver.bump(judgement.base, version.version)
    breaking = judgement.breaking
    if breaking and judgement.bump != semver.MAJOR:
        message = _refusal(judgement)
        if judgement.policy == ContractPolicy.Semver.ENFORCE:
            judgement.refusal = ValidationError({"version": [message]}, code="breaking_change")
        else:
            judgement.notes.append(f"Published although the policy warns: {message}")
    elif not breaking and judgement.bump == semver.MAJOR:
        judgement.notes.append(
            f"A new major version with no breaking change from {judgement.base}: consumers "
            "may move to it without changes."
        )


def _refusal(judgement: Judgement) -> str:
    breaking = sorted(judgement.breaking, key=lambda c: (c.location, c.rule))
    named = "; ".join(f"{c.location}: {c.message}" for c in breaking[:_NAMED])
    more = f"; and {len(breaking) - _NAMED} more" if len(breaking) > _NAMED else ""
    if judgement.bump == semver.UNKNOWN:
        why = (
            f"so its version must show a new major version, and {judgement.version.version!r} "
            f"after {judgement.base!r} is not a semantic version Keel can compare"
        )
    else:
        why = f"which needs a new major version, and {judgement.version.version} is not one"
    return (
        f"{len(breaking)} breaking change{'s' if len(breaking) != 1 else ''} from "
        f"{judgement.base} ({named}{more}), {why}. Publish it as "
        f"{semver.next_major(judgement.base)}, or keep the change backward compatible."
    )
