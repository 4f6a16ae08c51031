"""The worker's own timer for catalog sync: every ``celery -A portal worker`` sends
``descriptors.tick`` at start and every ``KEEL_CATALOG_SYNC_TICK_SECONDS``, so scheduled reads
and recovery from a killed worker need no beat process. Several workers ticking at once do no
harm: what is due is decided from the runs, under each location's lock."""

from portal.timers import PeriodicSend


class SyncTimer(PeriodicSend):
    task = "descriptors.tasks.tick"
    interval_setting = "KEEL_CATALOG_SYNC_TICK_SECONDS"
