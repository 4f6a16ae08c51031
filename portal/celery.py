"""The Celery application. Without ``CELERY_BROKER_URL`` it uses the filesystem transport
under ``KEEL_DATA_DIR`` so a real worker runs on a fresh machine with no broker service.

Every worker runs the scaffold reaper and the catalog sync tick (scheduled reads of every
location, recovery of reads whose worker died) on its own timer (``scaffolding.worker``,
``descriptors.worker``), so neither needs a beat process; beat's schedule holds the same tasks
for deployments that run beat anyway."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("keel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.steps["worker"].add("scaffolding.worker.StalledRunReaper")
app.steps["worker"].add("descriptors.worker.SyncTimer")
app.steps["worker"].add("delivery.worker.StageReaper")
