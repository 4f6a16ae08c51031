"""Portal-wide background tasks."""

from celery import shared_task


def send(task, *args, **options):
    """Enqueue ``task`` with the worker's time limits, not this process's: Celery would
    otherwise put the sending process's limits into the message, overriding the worker's."""
    return task.apply_async(args, time_limit=None, soft_time_limit=None, **options)


@shared_task(name="portal.ping", time_limit=10, soft_time_limit=5)
def ping() -> str:
    """Round trip through the broker and a worker; used by the service tier and operators."""
    return "pong"
