"""Every write of the delivery app that a person (or a push) asks for. Pages, REST, GraphQL
and the push receiver call these; what stages write as they run is the job's own
bookkeeping (``delivery.scheduling``), shown from the same rows."""

from django.db import transaction

from portal import permissions
from portal.audit import record_change, snapshot
from portal.models import ChangeRecord
from portal.writes import atomic_write, locked
from scaffolding.models import Pipeline

from . import repositories, scheduling
from .models import PipelineRun


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
