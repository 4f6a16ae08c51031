"""Whether an artifact may be deployed into an environment of a pipeline, wherever the
deployment runs: Keel's own production stage, an external CI asking ``can-promote`` first, or
an external CD system reporting a deployment (``delivery.events``), refused when this says no.

An artifact earns an environment by passing, in one run of the pipeline, every stage before
the first stage that deploys there (for production: build, package, staging and a bake whose
verdict is ``passed``). Production also needs no breaking version of the service's APIs still
waiting for its consumers (``contracts.gate``), and a person's approval where the environment
asks for one.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q

from contracts.models import BreakingRelease

from .models import Approval, PipelineRun, StageRun

PRODUCTION = "production"
APPROVAL_MISSING = "A person must approve this artifact for {environment}."
_DIGEST = re.compile(r"^(?:sha256:)?([0-9a-f]{64})$")


@dataclass
class Verdict:
    allowed: bool
    reasons: list[str] = field(default_factory=list)
    needs_approval: bool = False  # one of the reasons: nobody approved it yet


def digest_of(text) -> str:
    """The 64 hex digits of ``text`` (``sha256:`` may precede them), else a field error."""
    found = _DIGEST.match(text.strip().lower()) if isinstance(text, str) else None
    if not found:
        raise ValidationError({"artifact": "A sha256 digest: 64 hexadecimal digits."})
    return found.group(1)


def environment_names(pipeline) -> list[str]:
    """The environments the pipeline's stages deploy to, in order."""
    names = []
    for name in pipeline.stages.order_by("position").values_list("environment", flat=True):
        if name and name not in names:
            names.append(name)
    return names


def required_stages(pipeline, environment: str) -> list[str]:
    """The stages an artifact passes before it may reach ``environment``; a field error for
    an environment the pipeline does not deploy to."""
    stages = list(pipeline.stages.order_by("position").values_list("name", "environment"))
    for index, (_, env) in enumerate(stages):
        if env == environment:
            return [name for name, _ in stages[:index]]
    known = ", ".join(environment_names(pipeline)) or "none"
    raise ValidationError(
        {
            "environment": f"The pipeline {pipeline.slug} deploys to no {environment!r} (known: {known})."
        }
    )


def requires_approval(pipeline, environment: str, stored: bool = False) -> bool:
    """Does a person approve each release into ``environment``? What the definition says
    (``spec.environments.<name>.requires_approval``), else the stored environment's flag, else
    yes for the production of a tier 1 service."""
    spec = (pipeline.definition or {}).get("spec") or {}
    declared = ((spec.get("environments") or {}).get(environment) or {}).get("requires_approval")
    if isinstance(declared, bool):
        return declared
    if stored:
        return True
    service = pipeline.service
    return environment == PRODUCTION and service is not None and service.tier == 1


def _passed(stage: StageRun) -> bool:
    if stage.status != StageRun.Status.SUCCEEDED:
        return False
    result = stage.result if isinstance(stage.result, dict) else {}
    if stage.name == "bake":
        return result.get("verdict") == "passed"
    return result.get("smoke", "passed") == "passed"


def _stage_reasons(pipeline, digest: str, required: list[str]) -> list[str]:
    runs = list(
        PipelineRun.objects.filter(pipeline=pipeline)
        .filter(
            Q(artifact__digest=digest) | Q(stages__name="package", stages__result__artifact=digest)
        )
        .distinct()
        .order_by("-number")
        .prefetch_related(Prefetch("stages", queryset=StageRun.objects.order_by("position")))
    )
    if not runs:
        return [f"No run of {pipeline.slug} packaged the artifact sha256:{digest[:12]}."]
    best, missing = None, None
    for run in runs:
        stages = {stage.name: stage for stage in run.stages.all()}
        lacking = [name for name in required if name not in stages or not _passed(stages[name])]
        if missing is None or len(lacking) < len(missing):
            best, missing = (run, stages), lacking
        if not lacking:
            return []
    run, stages = best
    reasons = []
    for name in missing:
        stage = stages.get(name)
        status = stage.get_status_display().lower() if stage else "absent"
        if stage and name == "bake" and stage.status == StageRun.Status.SUCCEEDED:
            status = f"verdict {stage.result.get('verdict') or 'missing'}"
        reasons.append(
            f"Stage {name} has not passed for this artifact (run {run.number}: {status})."
        )
    return reasons


def can_promote(pipeline, *, digest: str, environment: str) -> Verdict:
    """May the artifact ``digest`` be deployed into ``environment`` of ``pipeline``? The
    verdict's reasons say what stops it (none when allowed). Field errors (``artifact``,
    ``environment``) for a digest that is none or an environment the pipeline lacks."""
    digest = digest_of(digest)
    required = required_stages(pipeline, environment)
    reasons = _stage_reasons(pipeline, digest, required)
    stored = pipeline.environments.filter(name=environment, requires_approval=True).exists()
    needs_approval = requires_approval(pipeline, environment, stored) and not (
        Approval.objects.filter(
            environment__pipeline=pipeline, environment__name=environment, artifact_digest=digest
        ).exists()
    )
    if needs_approval:
        reasons.append(APPROVAL_MISSING.format(environment=environment))
    if environment == PRODUCTION and pipeline.service_id:
        for release in BreakingRelease.objects.filter(
            api__provider_id=pipeline.service_id, state=BreakingRelease.State.OPEN
        ).select_related("api", "version"):
            reasons.append(
                f"API {release.api.slug} {release.label} breaks its consumers and waits for them "
                "(released when they acknowledge it or the old version has a sunset date)."
            )
    return Verdict(allowed=not reasons, reasons=reasons, needs_approval=needs_approval)
