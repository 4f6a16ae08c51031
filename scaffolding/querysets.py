"""The optimised querysets behind run and pipeline pages, REST and GraphQL."""

from django.db import models
from django.utils import timezone


class ScaffoldRunQuerySet(models.QuerySet):
    def with_related(self):
        """What a run's representation shows: team, requester, service, steps and log."""
        return self.select_related(
            "owner_team", "requested_by", "service", "pipeline"
        ).prefetch_related("steps", "log_entries")

    def in_flight(self):
        return self.filter(status__in=["pending", "running"])

    def stalled(self, now=None):
        """Runs a worker started and then stopped holding (its lease ran out)."""
        return self.filter(status="running", lease_expires_at__lt=now or timezone.now())

    def forgotten(self, now=None):
        """Runs waiting longer than a lease and the longest retry backoff for a worker: their
        message was lost (the broker was down when they were enqueued, or its queue was
        purged)."""
        from datetime import timedelta

        from django.conf import settings

        wait = settings.KEEL_SCAFFOLD_LEASE_SECONDS + settings.KEEL_SCAFFOLD_RETRY_MAX_SECONDS
        since = (now or timezone.now()) - timedelta(seconds=wait)
        return self.filter(status="pending", updated_at__lt=since)


class PipelineQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("owner_team", "service").prefetch_related("stages")
