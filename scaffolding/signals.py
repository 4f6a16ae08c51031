"""Hooks (not business logic): a worker that starts resumes runs a dead worker left, and a
deleted catalog service takes its repository with it (``scaffolding.actions``)."""

from celery.signals import worker_ready
from django.dispatch import receiver

from catalog.signals import service_deleted


@worker_ready.connect
def resume_stalled_runs(sender=None, **kwargs):
    from .tasks import reap_stalled_runs

    reap_stalled_runs.delay()


@receiver(service_deleted)
def retire_repository(sender, service, actor, via, **kwargs):
    from .actions import retire_repository

    retire_repository(service, actor=actor, via=via)
