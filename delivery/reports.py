"""What each CDEvent an external CI or CD system reports does to Keel's records, inside the
transaction of ``delivery.actions.receive_event`` (which locked the pipeline and stored the
event's id). Every row written or changed gets its ChangeRecord.

- ``pipelinerun.started``: an external ``PipelineRun`` (its id in the CI is ``subject.id``,
  the commit ``customData.commit``), running, with a pending StageRun per stage (one run of a
  pipeline runs at a time, whoever runs it); ``pipelinerun.finished`` ends it, and a run
  whose CI stays silent for ``KEEL_DELIVERY_EXTERNAL_SILENCE_SECONDS`` is ended failed by
  ``delivery.scheduling.reap``.
  ``pipelinerun.queued`` is noted only: a queued run is the embedded runner's to start.
- ``taskrun.started/finished``: the stage named ``subject.content.taskName`` of the run
  ``subject.content.pipelineRun.id``; ``customData.result`` becomes the stage's result (a bake
  that succeeded without a verdict passed).
- ``artifact.packaged``: the digest (``subject.id``, a purl) becomes the package stage's
  ``result.artifact`` of the run ``customData.pipelineRun``: what ``delivery.policy`` follows.
- ``service.deployed/upgraded``: ``delivery.policy.can_promote`` decides; refused, a refused
  Deployment and a PolicyViolation; allowed, a live Deployment that becomes the environment's
  current release. ``service.rolledback``: a live rollback Deployment.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from portal.audit import record_change, snapshot
from portal.models import ChangeRecord

from . import environments, policy
from .cdevents import Event
from .models import Artifact, Deployment, PipelineRun, PolicyViolation, StageRun

_SUCCESS = "success"
_RESULT_KEYS = 50


@dataclass
class Outcome:
    """What an event did: ``refused`` with the policy's reasons, else accepted."""

    effect: str
    refused: bool = False
    reasons: list[str] = field(default_factory=list)
    deployment: Deployment | None = None
    run: PipelineRun | None = None


class _Recorder:
    def __init__(self, actor, via):
        self.actor, self.via = actor, via

    def created(self, obj):
        obj.full_clean(validate_constraints=False)
        obj.save(force_insert=True)
        record_change(actor=self.actor, via=self.via, action=ChangeRecord.Action.CREATE,
                      obj=obj, after=snapshot(obj))  # fmt: skip
        return obj

    def changed(self, obj, before: dict, fields: list[str]):
        obj.full_clean(validate_constraints=False)
        obj.save(update_fields=fields)
        after = snapshot(obj)
        if after != before:
            record_change(actor=self.actor, via=self.via, action=ChangeRecord.Action.UPDATE,
                          obj=obj, before=before, after=after)  # fmt: skip
        return obj


def apply(pipeline, event: Event, *, actor, via: str) -> Outcome:
    handler = _HANDLERS[event.kind.split(".")[0]]
    return handler(pipeline, event, _Recorder(actor, via))


# --- runs and their stages ------------------------------------------------------------------


def _run(pipeline, external_id: str, where: str) -> PipelineRun:
    """The external run an event is about, heard from now (``heard_from``)."""
    run = (
        PipelineRun.objects.select_for_update()
        .filter(pipeline=pipeline, trigger=PipelineRun.Trigger.EXTERNAL, external_id=external_id)
        .first()
    )
    if run is None:
        raise ValidationError(
            {where: f"No run {external_id!r} of {pipeline.slug} was reported started."}
        )
    heard_from(run)
    return run


def heard_from(run: PipelineRun) -> None:
    """A running external run's lease is the time by which its CI must report again
    (``KEEL_DELIVERY_EXTERNAL_SILENCE_SECONDS``); the reaper ends it failed after that."""
    if run.status == PipelineRun.Status.RUNNING:
        run.lease_expires_at = timezone.now() + timedelta(
            seconds=settings.KEEL_DELIVERY_EXTERNAL_SILENCE_SECONDS
        )
        PipelineRun.objects.filter(pk=run.pk).update(lease_expires_at=run.lease_expires_at)


def _pipeline_run(pipeline, event: Event, rec: _Recorder) -> Outcome:
    now = timezone.now()
    predicate = event.kind.split(".")[1]
    if predicate == "finished":
        run = _run(pipeline, event.subject_id, "subject.id")
        before = snapshot(run)
        ok = event.outcome == _SUCCESS
        run.status = PipelineRun.Status.SUCCEEDED if ok else PipelineRun.Status.FAILED
        run.finished_at, run.lease_expires_at = now, None
        run.message = f"Reported {'succeeded' if ok else 'failed'} by {event.source}"[:500]
        rec.changed(run, before, ["status", "finished_at", "lease_expires_at", "message"])
        for stage in run.stages.filter(
            status__in=[StageRun.Status.PENDING, StageRun.Status.RUNNING]
        ):
            stage_before = snapshot(stage)
            stage.status = StageRun.Status.SKIPPED if stage.status == StageRun.Status.PENDING else (
                StageRun.Status.SUCCEEDED if ok else StageRun.Status.FAILED)  # fmt: skip
            rec.changed(stage, stage_before, ["status"])
        return Outcome(effect=f"run {run.number} {run.status}", run=run)
    if predicate == "queued":
        # Not stored as a queued run: Keel's embedded runner starts queued runs.
        return Outcome(effect="noted: the run is recorded when it starts")
    existing = PipelineRun.objects.filter(
        pipeline=pipeline, trigger=PipelineRun.Trigger.EXTERNAL, external_id=event.subject_id
    ).first()
    if existing is not None:
        return Outcome(effect=f"run {existing.number} {existing.status}", run=existing)
    if pipeline.runs.filter(status=PipelineRun.Status.RUNNING).exists():
        raise ValidationError(
            f"A run of {pipeline.slug} is already running: report it finished first.",
            code="conflict",
        )
    stages = list(pipeline.stages.order_by("position"))
    if not stages:
        raise ValidationError(f"The pipeline {pipeline.slug} has no stages.")
    committed_at = event.custom.get("committedAt")
    run = rec.created(
        PipelineRun(
            pipeline=pipeline,
            number=(pipeline.runs.aggregate(last=Max("number"))["last"] or 0) + 1,
            trigger=PipelineRun.Trigger.EXTERNAL,
            via=rec.via,
            commit_sha=event.commit(),
            committed_at=_moment(committed_at, "customData.committedAt") if committed_at else None,
            ref=event.text("ref", required=False, where="customData") or "refs/heads/main",
            external_id=event.subject_id,
            status=PipelineRun.Status.RUNNING,
            started_at=now,
        )
    )
    StageRun.objects.bulk_create(
        StageRun(run=run, position=stage.position, name=stage.name) for stage in stages
    )
    heard_from(run)
    return Outcome(effect=f"run {run.number} {run.status}", run=run)


def _moment(text, where: str):
    value = parse_datetime(text) if isinstance(text, str) else None
    if value is None or value.tzinfo is None:
        raise ValidationError({where: "An ISO 8601 time with its offset."})
    return value


def _result(event: Event, stage_name: str, ok: bool) -> dict:
    result = event.custom.get("result", {})
    if not isinstance(result, dict) or len(result) > _RESULT_KEYS:
        raise ValidationError({"customData.result": f"An object of at most {_RESULT_KEYS} keys."})
    if stage_name == "bake" and "verdict" not in result:
        result = {**result, "verdict": "passed" if ok else "breached"}
    return result


def _task_run(pipeline, event: Event, rec: _Recorder) -> Outcome:
    run = _run(pipeline, event.reference("pipelineRun"), "subject.content.pipelineRun")
    name = event.text("taskName")
    stage = run.stages.filter(name=name).first()
    if stage is None:
        names = ", ".join(run.stages.values_list("name", flat=True))
        raise ValidationError(
            {
                "subject.content.taskName": f"{pipeline.slug} has no stage {name!r} (stages: {names})."
            }
        )
    before, now = snapshot(stage), timezone.now()
    if event.kind == "taskrun.started":
        stage.status, stage.started_at = StageRun.Status.RUNNING, now
        stage.attempts += 1
        rec.changed(stage, before, ["status", "started_at", "attempts"])
    else:
        ok = event.outcome == _SUCCESS
        stage.status = StageRun.Status.SUCCEEDED if ok else StageRun.Status.FAILED
        stage.finished_at = now
        stage.started_at = stage.started_at or now
        stage.result = {**stage.result, **_result(event, name, ok)}
        rec.changed(stage, before, ["status", "finished_at", "started_at", "result"])
    return Outcome(effect=f"stage {name} of run {run.number} {stage.status}", run=run)


def _artifact(pipeline, event: Event, rec: _Recorder) -> Outcome:
    digest = event.digest()
    reported = event.reference("pipelineRun", required=False, where="customData")
    if reported:
        run = _run(pipeline, reported, "customData.pipelineRun")
    else:
        run = (
            pipeline.runs.select_for_update()
            .filter(trigger=PipelineRun.Trigger.EXTERNAL, status=PipelineRun.Status.RUNNING)
            .first()
        )
        if run is None:
            raise ValidationError({"customData.pipelineRun": "Name the run that packaged it."})
    stage = run.stages.filter(name="package").first()
    if stage is None:
        raise ValidationError(f"The pipeline {pipeline.slug} has no package stage.")
    before = snapshot(stage)
    stage.result = {**stage.result, "artifact": digest}
    rec.changed(stage, before, ["result"])
    return Outcome(effect=f"artifact sha256:{digest[:12]} of run {run.number}", run=run)


# --- deployments ----------------------------------------------------------------------------


def _service(pipeline, event: Event, rec: _Recorder) -> Outcome:
    name = event.reference("environment")
    envs = {env.name: env for env in environments.ensure(pipeline, actor=rec.actor, via=rec.via)}
    if name not in envs:
        raise ValidationError(
            {
                "subject.content.environment": f"{pipeline.slug} deploys to no {name!r} (known: {', '.join(envs) or 'none'})."
            }
        )
    env = type(envs[name]).objects.select_for_update().get(pk=envs[name].pk)
    digest = event.digest("artifactId")
    reported = event.reference("pipelineRun", required=False, where="customData")
    run = _run(pipeline, reported, "customData.pipelineRun") if reported else None
    rollback = event.kind == "service.rolledback"
    verdict = None if rollback else policy.can_promote(pipeline, digest=digest, environment=name)
    refused = verdict is not None and not verdict.allowed
    deployment = _deployment(
        env, event, digest, run, rec, refused=verdict.reasons if refused else None
    )
    if refused:
        rec.created(
            PolicyViolation(
                pipeline=pipeline, environment=env, deployment=deployment, artifact_digest=digest,
                reasons=verdict.reasons, event_id=event.id,
            )
        )  # fmt: skip
        return Outcome(effect="refused", refused=True, reasons=verdict.reasons,
                       deployment=deployment, run=run)  # fmt: skip
    _make_current(env, deployment, rec, rollback=rollback)
    return Outcome(effect=f"{deployment.get_kind_display().lower()} live in {name}",
                   deployment=deployment, run=run)  # fmt: skip


def _deployment(env, event: Event, digest: str, run, rec: _Recorder, *, refused: list | None):
    """The Deployment the report is about: the one a webhook target handed over and waits
    for (deploying, same digest), else a new one."""
    now = timezone.now()
    status = Deployment.Status.LIVE if refused is None else Deployment.Status.REFUSED
    waiting = env.deployments.filter(
        status=Deployment.Status.DEPLOYING, artifact_digest=digest
    ).first()
    if waiting is not None and event.kind != "service.rolledback":
        before = snapshot(waiting)
        waiting.status, waiting.finished_at = status, now
        if refused is not None:
            waiting.message = " ".join(refused)[:2000]
        return rec.changed(waiting, before, ["status", "finished_at", "message"])
    url = event.text("url", required=False) if isinstance(event.content.get("url"), str) else ""
    return rec.created(
        Deployment(
            environment=env,
            kind=Deployment.Kind.ROLLBACK
            if event.kind == "service.rolledback"
            else Deployment.Kind.DEPLOY,
            status=status,
            run=run,
            artifact=Artifact.objects.filter(digest=digest).first(),
            artifact_digest=digest,
            commit_sha=run.commit_sha if run else "",
            version=event.text("version", required=False, where="customData"),
            previous=env.current,
            url=url,
            details={
                "event": event.id,
                "source": event.source,
                "type": event.kind,
                "service": event.subject_id,
            },
            message=(" ".join(refused) if refused is not None else f"Reported by {event.source}")[
                :2000
            ],
            via=rec.via,
            actor=rec.actor,
            finished_at=now,
        )
    )


def _make_current(env, deployment: Deployment, rec: _Recorder, *, rollback: bool) -> None:
    previous = env.current
    if (
        previous is not None
        and previous.pk != deployment.pk
        and previous.status == Deployment.Status.LIVE
    ):
        before = snapshot(previous)
        previous.status = Deployment.Status.ROLLED_BACK if rollback else Deployment.Status.REPLACED
        rec.changed(previous, before, ["status"])
    before = snapshot(env)
    env.current = deployment
    rec.changed(env, before, ["current"])


_HANDLERS = {
    "pipelinerun": _pipeline_run,
    "taskrun": _task_run,
    "artifact": _artifact,
    "service": _service,
}
