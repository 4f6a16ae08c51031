"""Background work of the scaffolding app. Messages carry ids only; the rows hold the rest.

Messages carry no time limits either (they are sent with ``portal.tasks.send``): the limits
below are read where the task runs, from the worker's settings.
"""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from . import runner
from .providers import TransientError

log = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="scaffolding.run_scaffold",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # each step has its own budget (runner.release_for_retry)
    time_limit=settings.KEEL_SCAFFOLD_TIME_LIMIT,
    soft_time_limit=max(settings.KEEL_SCAFFOLD_TIME_LIMIT - 30, 10),
)
def run_scaffold(self, run_uuid: str) -> str:
    """Run (or resume) one scaffold run. Safe to deliver twice: a run that is finished, or
    held by a live worker, is left alone. Transient failures are retried with backoff."""
    run = runner.claim(run_uuid)
    if run is None:
        return "skipped"
    try:
        with runner.heartbeat(run):
            runner.execute(run)
    except TransientError as error:
        countdown = runner.release_for_retry(run, error)
        if countdown is None:
            return run.status
        raise self.retry(
            exc=error, countdown=countdown, time_limit=None, soft_time_limit=None
        ) from error
    except SoftTimeLimitExceeded:
        runner.fail(
            run,
            f"Step {run.current_step} took longer than {settings.KEEL_SCAFFOLD_TIME_LIMIT} s and was stopped.",
            step=run.current_step,
        )
    return run.status


@shared_task(name="scaffolding.reap_stalled_runs", time_limit=120, soft_time_limit=100)
def reap_stalled_runs() -> list[str]:
    """Resume (or report) the runs whose worker died; run by every worker's timer and at its
    start (``scaffolding.worker``), and by beat where it runs."""
    return runner.reap_stalled_runs()
