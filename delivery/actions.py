"""Every write of the delivery app that a person (or a push) asks for. Pages, REST, GraphQL
and the push receiver call these; what stages write as they run is the job's own
bookkeeping (``delivery.scheduling``), shown from the same rows."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction

from portal import permissions
from portal.audit import record_change, snapshot
from portal.models import ChangeRecord
from portal.writes import atomic_write, locked
from scaffolding.models import Pipeline

from . import deployments, repositories, scheduling
from .models import Deployment, Environment, PipelineRun

log = logging.getLogger(__name__)


def start_run(
    pipeline: Pipeline,
    *,
    actor,
    via: str,
    commit: str | None = None,
    trigger: str = PipelineRun.Trigger.MANUAL,
) -> PipelineRun:
    """Run ``pipeline`` for ``commit`` (by default the head of ``main``), on behalf of
    ``actor``, who must be a member of the owning team (or staff): decided on the locked
    pipeline. Returns the queued run, which starts when no other run of the pipeline runs
    (superseding a run still waiting, or joining it when it waits for the same commit)."""
    permissions.require_signed_in(actor)
    with atomic_write():
        pipeline = locked(pipeline, actor=actor, action=permissions.CHANGE)
        repository = repositories.hosted_repository(pipeline)
        sha = (
            repositories.require_commit(repository, commit)
            if commit
            else repositories.head(repository)
        )
        run, created = scheduling.queue_run(
            pipeline, commit=sha, ref=scheduling.MAIN, trigger=trigger, actor=actor, via=via
        )
        if created:
            record_change(
                actor=actor, via=via, action=ChangeRecord.Action.CREATE, obj=run,
                after=snapshot(run),
            )  # fmt: skip
            transaction.on_commit(lambda: scheduling.dispatch(pipeline.pk))
    run.refresh_from_db()  # started already, when the stages ran at once (eager Celery)
    return run


def previous_good(environment: Environment, current: Deployment) -> Deployment | None:
    """The release a rollback restores: the newest one before ``current`` that served here
    until a later release replaced it, of another artifact, still stored."""
    return (
        environment.deployments.filter(
            status=Deployment.Status.REPLACED, pk__lt=current.pk, artifact__isnull=False
        )
        .exclude(artifact_digest=current.artifact_digest)
        .select_related("artifact")
        .order_by("-pk")
        .first()
    )


def rollback(environment: Environment, *, actor, via: str) -> Deployment:
    """Deploy ``environment``'s previous good release again (a Deployment of kind rollback),
    on behalf of ``actor``, who must be a member of the owning team (or staff): decided on
    the locked environment. The release it replaces is stopped and marked rolled back.
    Refused while another deployment there is in progress; a rollback that does not become
    healthy is recorded as failed (the environment keeps what it ran) and refused."""
    permissions.require_signed_in(actor)
    with atomic_write():
        environment = locked(environment, actor=actor, action=permissions.CHANGE)
        current = environment.current
        if current is None:
            raise ValidationError(f"{environment.name} runs no release: nothing to roll back.")
        good = previous_good(environment, current)
        if good is None:
            raise ValidationError(
                f"{environment.name} has no earlier good release to roll back to."
            )
        deployment, busy = deployments.claim(
            environment, kind=Deployment.Kind.ROLLBACK, artifact=good.artifact,
            commit=good.commit_sha, version=good.version, actor=actor, via=via,
        )  # fmt: skip
        if busy is not None:
            raise ValidationError(
                f"Deployment {busy.pk} to {environment.name} is in progress; try again when "
                "it has finished."
            )
    ok, _, message = deployments.carry_out(
        deployment, actor=actor, via=via, note=lambda text: log.info("rollback: %s", text)
    )
    if not ok:
        raise ValidationError(f"The rollback (deployment {deployment.pk}) failed: {message}")
    deployment.refresh_from_db()
    return deployment
