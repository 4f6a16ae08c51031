"""The optimised querysets behind run and deployment pages, REST and GraphQL."""

from django.db import models


class PipelineRunQuerySet(models.QuerySet):
    def with_related(self):
        """What a run's representation shows: pipeline, team, starter, artifact, stages."""
        return self.select_related(
            "pipeline__owner_team", "started_by", "artifact"
        ).prefetch_related("stages")


class DeploymentQuerySet(models.QuerySet):
    def with_related(self):
        """What a deployment's representation shows: environment, pipeline, team, run,
        actor, artifact."""
        return self.select_related("environment__pipeline__owner_team", "run", "actor", "artifact")
