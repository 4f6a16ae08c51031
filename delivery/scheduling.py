"""Which run runs when, which stage comes next, and what happens to a run whose worker died.

- One run of a pipeline runs at a time and at most one waits (two partial unique
  constraints). A new request supersedes the waiting run (a newer commit is what people
  want built), or joins it when it is for the same commit. Decisions take the pipeline's
  row lock, so two pushes at once are serialised.
- A running run is held through a lease (``PipelineRun.lease_expires_at``): by the message
  sent for its next stage, then by the worker running that stage (renewed by a heartbeat).
  ``reap`` runs on every worker's timer (``delivery.worker``): a stage whose worker died is
  sent again up to ``KEEL_DELIVERY_MAX_ATTEMPTS`` times and then failed, never left
  running; a lost message is sent again; a queued run nobody started is started; an
  external run whose CI fell silent is ended failed (``end_silent_external_runs``).
- Stages run in order, each its own Celery task (``delivery.tasks.run_stage``), sent with
  ids only once the transaction that made it pending commits.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from portal.audit import record_change, snapshot, system_actor
from portal.leases import renewing
from portal.models import ChangeRecord, Interface
from scaffolding.gitops import BRANCH
from scaffolding.models import Pipeline

from .models import PipelineRun, StageRun

log = logging.getLogger(__name__)

# The stages the embedded runner runs: those of ``scaffolding.pipelines.STAGES`` that have a
# runner in ``delivery.stages.RUNNERS``; any other is shown as not run, with the reason.
EMBEDDED_STAGES = ("build", "package", "staging", "bake", "production")
MAIN = BRANCH.decode()


def lease_until(seconds: float | None = None):
    return timezone.now() + timedelta(
        seconds=settings.KEEL_DELIVERY_LEASE_SECONDS if seconds is None else seconds
    )


# --- queueing -------------------------------------------------------------------------------


def queue_run(pipeline: Pipeline, *, commit: str, ref: str, trigger: str, actor, via: str):
    """The waiting run for ``commit`` of the locked ``pipeline`` and whether it is new: the
    run already waiting for that commit, or a new one that supersedes any other waiting run.
    Call inside the caller's transaction, with the pipeline locked."""
    waiting = pipeline.runs.filter(status=PipelineRun.Status.QUEUED).first()
    if waiting is not None and waiting.commit_sha == commit:
        return waiting, False
    stages = list(pipeline.stages.order_by("position"))
    if not stages:
        raise ValidationError(f"The pipeline {pipeline.slug} has no stages to run.")
    number = (pipeline.runs.aggregate(last=Max("number"))["last"] or 0) + 1
    if waiting is not None:
        supersede(waiting, by=number, actor=actor, via=via)
    run = PipelineRun(
        pipeline=pipeline,
        number=number,
        trigger=trigger,
        via=via,
        commit_sha=commit,
        ref=ref,
        started_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    run.full_clean(validate_constraints=False)
    run.save(force_insert=True)
    StageRun.objects.bulk_create(
        StageRun(
            run=run,
            position=stage.position,
            name=stage.name,
            status=StageRun.Status.PENDING if runs(stage.name) else StageRun.Status.NOT_RUN,
        )
        for stage in stages
    )
    return run, True


def runs(stage_name: str) -> bool:
    """Whether the embedded runner runs a stage of this name."""
    from .stages import RUNNERS

    return stage_name in EMBEDDED_STAGES and stage_name in RUNNERS


def supersede(run: PipelineRun, *, by: int, actor, via: str) -> None:
    """A waiting run that will never start: a newer one takes its place."""
    before = snapshot(run)
    run.status, run.finished_at = PipelineRun.Status.SUPERSEDED, timezone.now()
    run.message = f"Superseded by run {by}, of a newer commit, before it started."
    run.save(update_fields=["status", "finished_at", "message"])
    run.stages.filter(status=StageRun.Status.PENDING).update(status=StageRun.Status.SKIPPED)
    record_change(
        actor=actor, via=via, action=ChangeRecord.Action.UPDATE, obj=run, before=before,
        after=snapshot(run),
    )  # fmt: skip


def dispatch(pipeline_id: int) -> PipelineRun | None:
    """Start the pipeline's waiting run when none runs: it becomes running and its first
    stage is sent when this commits. Returns the run started, if any."""
    with transaction.atomic():
        pipeline = Pipeline.objects.select_for_update().filter(pk=pipeline_id).first()
        if pipeline is None or pipeline.runs.filter(status=PipelineRun.Status.RUNNING).exists():
            return None
        run = pipeline.runs.filter(status=PipelineRun.Status.QUEUED).first()
        if run is None:
            return None
        run.status, run.started_at = PipelineRun.Status.RUNNING, timezone.now()
        run.lease_expires_at = lease_until()
        run.save(update_fields=["status", "started_at", "lease_expires_at"])
        first = run.stages.filter(status=StageRun.Status.PENDING).order_by("position").first()
        if first is None:
            _end(run, PipelineRun.Status.SUCCEEDED, "Nothing for the embedded runner to run.")
        else:
            transaction.on_commit(lambda: send_stage(first.pk))
    return run


def send_stage(stage_id: int) -> None:
    """Hand a stage to a worker. A broker that is down fails nothing: the run's lease runs
    out and ``reap`` sends the stage again."""
    from kombu.exceptions import OperationalError

    from portal.tasks import send

    from .tasks import run_stage

    try:
        send(run_stage, stage_id)
    except (OperationalError, OSError):
        log.warning("Could not send stage %s; the reaper will.", stage_id, exc_info=True)


# --- running a stage ------------------------------------------------------------------------


def claim(stage_id: int) -> StageRun | None:
    """Take a pending stage of a running run for this worker, or None (finished, taken by
    another worker, or its run no longer runs): a message delivered twice runs once."""
    run_id = StageRun.objects.filter(pk=stage_id).values_list("run_id", flat=True).first()
    if run_id is None:
        return None
    with transaction.atomic():
        run = PipelineRun.objects.select_for_update().filter(pk=run_id).first()
        stage = StageRun.objects.filter(pk=stage_id).first()
        if run is None or run.status != PipelineRun.Status.RUNNING:
            return None
        if stage is None or stage.status != StageRun.Status.PENDING:
            return None
        stage.status, stage.started_at, stage.finished_at = (
            StageRun.Status.RUNNING, timezone.now(), None,
        )  # fmt: skip
        stage.attempts += 1
        stage.save(update_fields=["status", "started_at", "finished_at", "attempts"])
        run.lease_expires_at = lease_until()
        run.save(update_fields=["lease_expires_at"])
    return StageRun.objects.select_related("run__pipeline").get(pk=stage_id)


def heartbeat(stage: StageRun):
    """Renew the run's lease while this attempt of the stage runs."""

    def renew():
        if StageRun.objects.filter(
            pk=stage.pk, status=StageRun.Status.RUNNING, attempts=stage.attempts
        ).exists():
            PipelineRun.objects.filter(pk=stage.run_id, status=PipelineRun.Status.RUNNING).update(
                lease_expires_at=lease_until()
            )

    return renewing(
        renew, every=settings.KEEL_DELIVERY_HEARTBEAT_SECONDS, name=f"stage-heartbeat-{stage.pk}"
    )


def save_log(stage: StageRun, text: str) -> None:
    """Show the log so far (from the same row every interface reads)."""
    StageRun.objects.filter(pk=stage.pk, attempts=stage.attempts).update(log=text)


def finish_stage(stage: StageRun, *, ok: bool, log_text: str, result: dict, message: str = ""):
    """Record the stage's end. Success sends the next stage (or ends the run succeeded);
    failure skips the rest and ends the run failed. Either way the next waiting run of the
    pipeline starts once the run has ended."""
    with transaction.atomic():
        run = PipelineRun.objects.select_for_update().get(pk=stage.run_id)
        current = StageRun.objects.get(pk=stage.pk)
        if current.status != StageRun.Status.RUNNING or current.attempts != stage.attempts:
            return  # the reaper gave this attempt up; its outcome no longer counts
        current.status = StageRun.Status.SUCCEEDED if ok else StageRun.Status.FAILED
        current.finished_at, current.log, current.result = timezone.now(), log_text, result
        current.save(update_fields=["status", "finished_at", "log", "result"])
        if ok:
            following = run.stages.filter(status=StageRun.Status.PENDING).order_by("position")
            following = following.first()
            if following is not None:
                run.lease_expires_at = lease_until()
                run.save(update_fields=["lease_expires_at"])
                transaction.on_commit(lambda: send_stage(following.pk))
                return
            _end(run, PipelineRun.Status.SUCCEEDED, _succeeded_message(run))
        else:
            _end(run, PipelineRun.Status.FAILED, message or f"Stage {stage.name} failed.")


def _succeeded_message(run: PipelineRun) -> str:
    waiting = list(run.stages.filter(status=StageRun.Status.NOT_RUN).values_list("name", flat=True))
    if not waiting:
        return "Every stage succeeded."
    return f"Every stage it runs succeeded. Not run: {', '.join(waiting)} (no runner in this Keel)."


def _end(run: PipelineRun, status: str, message: str) -> None:
    """End ``run`` (locked by the caller) and start the pipeline's next waiting run."""
    run.stages.filter(status=StageRun.Status.PENDING).update(status=StageRun.Status.SKIPPED)
    run.status, run.message = status, message
    run.finished_at, run.lease_expires_at = timezone.now(), None
    run.save(update_fields=["status", "message", "finished_at", "lease_expires_at"])
    pipeline_id = run.pipeline_id
    transaction.on_commit(lambda: dispatch(pipeline_id))


# --- recovery -------------------------------------------------------------------------------


def reap(now=None) -> dict:
    """Recover runs whose worker died or whose message was lost; see the module's notes."""
    now = now or timezone.now()
    handled = {"retried": [], "failed": [], "resent": [], "started": []}
    handled["silent"] = end_silent_external_runs(now)
    stalled = PipelineRun.objects.filter(
        status=PipelineRun.Status.RUNNING, lease_expires_at__lt=now
    ).exclude(trigger=PipelineRun.Trigger.EXTERNAL)
    for run_id in stalled.values_list("pk", flat=True):
        with transaction.atomic():
            run = PipelineRun.objects.select_for_update().get(pk=run_id)
            if run.status != PipelineRun.Status.RUNNING or run.lease_expires_at >= now:
                continue
            _recover(run, handled)
    running = PipelineRun.objects.filter(
        pipeline=OuterRef("pipeline"), status=PipelineRun.Status.RUNNING
    )
    forgotten = PipelineRun.objects.filter(
        status=PipelineRun.Status.QUEUED, created_at__lt=now - timedelta(
            seconds=settings.KEEL_DELIVERY_LEASE_SECONDS)
    ).exclude(Exists(running))  # fmt: skip
    for pipeline_id in set(forgotten.values_list("pipeline_id", flat=True)):
        started = dispatch(pipeline_id)
        if started is not None:
            handled["started"].append(started.pk)
    return handled


def end_silent_external_runs(now) -> list[int]:
    """End failed every external run whose CI has not reported for
    ``KEEL_DELIVERY_EXTERNAL_SILENCE_SECONDS`` (its lease, renewed by each event; the start
    for a run that never had one), so that it blocks its pipeline no longer. Returns their
    ids."""
    silence = settings.KEEL_DELIVERY_EXTERNAL_SILENCE_SECONDS
    silent = PipelineRun.objects.filter(
        Q(lease_expires_at__lt=now)
        | Q(lease_expires_at__isnull=True, started_at__lt=now - timedelta(seconds=silence)),
        status=PipelineRun.Status.RUNNING,
        trigger=PipelineRun.Trigger.EXTERNAL,
    )
    ended = []
    for run_id in silent.values_list("pk", flat=True):
        with transaction.atomic():
            run = PipelineRun.objects.select_for_update().get(pk=run_id)
            if run.status != PipelineRun.Status.RUNNING or (run.lease_expires_at or now) > now:
                continue  # an event arrived meanwhile
            before = snapshot(run)
            run.stages.filter(status=StageRun.Status.RUNNING).update(
                status=StageRun.Status.FAILED, finished_at=now
            )
            _end(
                run,
                PipelineRun.Status.FAILED,
                f"The external CI reported nothing about this run for {silence:g} s, so Keel "
                "ended it failed: it no longer holds the pipeline. Report pipelinerun.finished "
                "sooner, or run it again.",
            )
            record_change(
                actor=system_actor(), via=Interface.JOB, action=ChangeRecord.Action.UPDATE,
                obj=run, before=before, after=snapshot(run),
            )  # fmt: skip
            ended.append(run.pk)
    return ended


def _recover(run: PipelineRun, handled: dict) -> None:
    stage = run.stages.filter(status=StageRun.Status.RUNNING).first()
    if stage is None:  # between stages: the message for the next one was lost
        following = run.stages.filter(status=StageRun.Status.PENDING).order_by("position")
        following = following.first()
        if following is None:
            _end(run, PipelineRun.Status.SUCCEEDED, _succeeded_message(run))
            return
        run.lease_expires_at = lease_until()
        run.save(update_fields=["lease_expires_at"])
        transaction.on_commit(lambda: send_stage(following.pk))
        handled["resent"].append(following.pk)
        return
    note = f"\n[attempt {stage.attempts}: the worker running this stage stopped]\n"
    if stage.attempts >= settings.KEEL_DELIVERY_MAX_ATTEMPTS:
        stage.status, stage.finished_at = StageRun.Status.FAILED, timezone.now()
        stage.log = (stage.log + note)[-settings.KEEL_DELIVERY_LOG_BYTES :]
        stage.save(update_fields=["status", "finished_at", "log"])
        _end(
            run,
            PipelineRun.Status.FAILED,
            f"The worker running stage {stage.name} stopped {stage.attempts} times (killed or "
            "restarted); the run was failed rather than left running. Start it again.",
        )
        handled["failed"].append(stage.pk)
        return
    stage.status = StageRun.Status.PENDING
    stage.log = (stage.log + note + "[trying again]\n")[-settings.KEEL_DELIVERY_LOG_BYTES :]
    stage.save(update_fields=["status", "log"])
    run.lease_expires_at = lease_until()
    run.save(update_fields=["lease_expires_at"])
    transaction.on_commit(lambda: send_stage(stage.pk))
    handled["retried"].append(stage.pk)


# --- pushes ---------------------------------------------------------------------------------


def run_pushed_commit(
    sender, slug: str, ref: str, commit: str, pusher=None, **kwargs
) -> PipelineRun | None:
    """``scaffolding.signals.repository_pushed``: a push that moved ``main`` of a Keel-hosted
    repository starts a run of its pipeline for the pushed commit, as the person who pushed
    (the git endpoint authorised the push for the service's team); as Keel's system account
    when the sender does not say who pushed."""
    from .actions import start_run

    if ref != MAIN:
        return None
    pipeline = Pipeline.objects.filter(slug__iexact=slug).first()
    if pipeline is None:
        return None
    try:
        return start_run(
            pipeline, actor=pusher or system_actor(), via=Interface.JOB, commit=commit,
            trigger=PipelineRun.Trigger.PUSH,
        )  # fmt: skip
    except (ValidationError, PermissionDenied):
        log.warning("A push to %s started no run.", slug, exc_info=True)
        return None
