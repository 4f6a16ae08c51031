"""The Celery application. Without ``CELERY_BROKER_URL`` it uses the filesystem transport
under ``KEEL_DATA_DIR`` so a real worker runs on a fresh machine with no broker service."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("keel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
