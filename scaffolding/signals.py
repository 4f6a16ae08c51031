"""Celery hooks (not business logic): a worker that starts resumes runs a dead worker left."""

from celery.signals import worker_ready


@worker_ready.connect
def resume_stalled_runs(sender=None, **kwargs):
    from .tasks import reap_stalled_runs

    reap_stalled_runs.delay()
