"""Background work of the delivery app. Messages carry ids only; the rows hold the rest,
and carry no time limits (``portal.tasks.send``): the limits below are the worker's."""

from celery import shared_task
from django.conf import settings

from . import deployments, scheduling, stages


@shared_task(
    name="delivery.run_stage",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=settings.KEEL_DELIVERY_STAGE_TIME_LIMIT,
    soft_time_limit=max(settings.KEEL_DELIVERY_STAGE_TIME_LIMIT - 30, 10),
)
def run_stage(stage_id: int) -> str:
    """Run one stage of a run. Safe to deliver twice: a stage that is not pending (finished,
    or held by a live worker) is left alone."""
    stage = scheduling.claim(stage_id)
    if stage is None:
        return "skipped"
    return stages.execute(stage)


@shared_task(name="delivery.reap", time_limit=120, soft_time_limit=100)
def reap() -> dict:
    """Retry or fail stages whose worker died, resend lost messages, start forgotten runs,
    and start again this host's live releases whose process died; sent by every worker's
    timer (``delivery.worker``) and by beat where it runs."""
    return {**scheduling.reap(), "restarted": deployments.supervise()}
