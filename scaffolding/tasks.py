"""Background work of the scaffolding app. Messages carry ids only; the rows hold the rest."""

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
    max_retries=5,
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
        runner.execute(run)
    except TransientError as error:
        countdown = min(2 ** (self.request.retries + 1), 60)
        if self.request.retries >= self.max_retries:
            runner.fail(
                run,
                f"{error} Gave up after {self.request.retries + 1} tries; start again later.",
                step=run.current_step,
            )
            return run.status
        runner.release_for_retry(run, run.current_step, error, countdown)
        raise self.retry(exc=error, countdown=countdown) from error
    except SoftTimeLimitExceeded:
        runner.fail(
            run,
            f"Step {run.current_step} took longer than {settings.KEEL_SCAFFOLD_TIME_LIMIT} s and was stopped.",
            step=run.current_step,
        )
    return run.status


@shared_task(name="scaffolding.reap_stalled_runs", time_limit=120, soft_time_limit=100)
def reap_stalled_runs() -> list[str]:
    """Resume (or report) the runs whose worker died; scheduled by beat, run at worker start."""
    return runner.reap_stalled_runs()
