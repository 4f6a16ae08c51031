"""Periodic work without beat: a worker bootstep that sends one task at the worker's start and
then on the worker's own timer. Subclasses name the task and the setting holding the interval
(``scaffolding.worker``, ``descriptors.worker``); the task runs on any worker, so it must be
harmless when several workers send it at once."""

import logging

from celery import bootsteps

log = logging.getLogger(__name__)


class PeriodicSend(bootsteps.StartStopStep):
    requires = {"celery.worker.components:Timer"}
    task = ""  # dotted path of the task function
    interval_setting = ""  # the setting with the seconds between sends

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.timer_ref = None

    @classmethod
    def send(cls) -> None:
        from django.utils.module_loading import import_string

        from portal.tasks import send

        try:
            send(import_string(cls.task))
        except Exception:  # noqa: BLE001 - the broker is down: the next tick tries again
            log.warning("Could not send %s.", cls.task, exc_info=True)

    def start(self, worker):
        from django.conf import settings

        self.send()
        self.timer_ref = worker.timer.call_repeatedly(
            getattr(settings, self.interval_setting), self.send, priority=10
        )

    def stop(self, worker):
        if self.timer_ref is not None:
            self.timer_ref.cancel()
            self.timer_ref = None
