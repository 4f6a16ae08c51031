"""The worker's own timer for recovery: every ``celery -A portal worker`` looks for runs whose
worker died (``reap_stalled_runs``) at start and every ``KEEL_SCAFFOLD_REAP_SECONDS``, so a
killed worker's run is resumed without beat and without a person. Registered as a worker
bootstep in ``portal/celery.py``; it only sends the reap task, which any worker then runs (the
reaper locks each run, so several workers reaping at once do no harm)."""

import logging

from celery import bootsteps

log = logging.getLogger(__name__)


def send_reap() -> None:
    from .tasks import reap_stalled_runs, send

    try:
        send(reap_stalled_runs)
    except Exception:  # noqa: BLE001 - the broker is down: the next tick tries again
        log.warning("Could not send the scaffold reaper.", exc_info=True)


class StalledRunReaper(bootsteps.StartStopStep):
    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.timer_ref = None

    def start(self, worker):
        from django.conf import settings

        send_reap()
        self.timer_ref = worker.timer.call_repeatedly(
            settings.KEEL_SCAFFOLD_REAP_SECONDS, send_reap, priority=10
        )

    def stop(self, worker):
        if self.timer_ref is not None:
            self.timer_ref.cancel()
            self.timer_ref = None
