"""The worker's own timer for recovery: every ``celery -A portal worker`` looks for runs whose
worker died (``reap_stalled_runs``) at start and every ``KEEL_SCAFFOLD_REAP_SECONDS``, so a
killed worker's run is resumed without beat and without a person. Registered as a worker
bootstep in ``portal/celery.py``; it only sends the reap task, which any worker then runs (the
reaper locks each run, so several workers reaping at once do no harm)."""

from portal.timers import PeriodicSend


class StalledRunReaper(PeriodicSend):
    task = "scaffolding.tasks.reap_stalled_runs"
    interval_setting = "KEEL_SCAFFOLD_REAP_SECONDS"
