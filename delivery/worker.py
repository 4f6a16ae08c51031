"""Every worker sends ``delivery.reap`` at its start and every ``KEEL_DELIVERY_REAP_SECONDS``
(registered as a bootstep in ``portal/celery.py``), so a killed worker's stage is retried or
failed without beat and without a person; the reaper locks each run, so several workers
reaping at once do no harm. The same task restarts this host's live releases whose process
died (``delivery.deployments.supervise``)."""

from portal.timers import PeriodicSend


class StageReaper(PeriodicSend):
    task = "delivery.tasks.reap"
    interval_setting = "KEEL_DELIVERY_REAP_SECONDS"
