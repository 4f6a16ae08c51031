"""Background reads of locations (``descriptors.syncing`` says how runs are held, coalesced,
retried and reaped). Messages carry ids only, and no time limits (``portal.tasks.send``):
the limits below are the worker's."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from . import actions, syncing
from .git_checkout import SourceUnavailable


@shared_task(
    bind=True,
    name="descriptors.sync_location",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # syncing.release_for_retry counts them
    time_limit=settings.KEEL_CATALOG_SYNC_TIME_LIMIT,
    soft_time_limit=max(settings.KEEL_CATALOG_SYNC_TIME_LIMIT - 30, 10),
)
def sync_location(self, location_id: int, trigger: str, run_id: int | None = None) -> str:
    """Read location ``location_id`` and import it: the queued run ``run_id``, or (without
    one) the run a new request joins. Safe to deliver twice: a run that is finished, held by
    a worker, or waiting for another read of its location is left alone. A source that may
    be readable later is retried with backoff, honouring the host's ``Retry-After``."""
    if run_id is None:
        queued = syncing.queue_run(location_id, trigger=trigger)
        if queued is None:
            return "gone"
        run_id = queued[0].pk
    run = syncing.claim(run_id)
    if run is None:
        return "skipped"
    try:
        with syncing.heartbeat(run):
            syncing.execute(run)
    except SourceUnavailable as error:
        countdown = syncing.release_for_retry(run, error, self.request.retries)
        if countdown is not None:
            raise self.retry(
                args=(location_id, trigger, run.pk),
                exc=error,
                countdown=countdown,
                time_limit=None,
                soft_time_limit=None,
            ) from error
    except SoftTimeLimitExceeded:
        actions.fail_run(
            run,
            f"Reading took longer than {settings.KEEL_CATALOG_SYNC_TIME_LIMIT} s and was "
            "stopped; nothing was changed. Split the location, or raise "
            "KEEL_CATALOG_SYNC_TIME_LIMIT.",
        )
    syncing.send_follow_up(location_id)
    return run.status


@shared_task(name="descriptors.tick", time_limit=120, soft_time_limit=100)
def tick() -> dict:
    """Fail the reads whose worker died, resend lost ones, request the scheduled reads; run
    by every worker's timer (``descriptors.worker``) and by beat where it runs."""
    return syncing.tick()
