"""Portal-wide background tasks."""

from celery import shared_task


@shared_task(name="portal.ping", time_limit=10, soft_time_limit=5)
def ping() -> str:
    """Round trip through the broker and a worker; used by the service tier and operators."""
    return "pong"
