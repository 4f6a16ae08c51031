"""Pipeline runs on a person's home page (``portal.home``): the runs in flight of their teams'
pipelines, and the latest run of each of their services."""

from django.db.models import Max

from portal.home import Pending

from .models import PipelineRun


def _pending(run) -> Pending:
    label = f"{run.pipeline.slug} #{run.number}"
    return Pending("Pipeline", label, run.get_absolute_url(), run.status, run.created_at)


def runs_in_flight(user, teams) -> list[Pending]:
    runs = (
        PipelineRun.objects.filter(pipeline__owner_team__in=teams)
        .exclude(status__in=PipelineRun.FINISHED)
        .select_related("pipeline")
        .order_by("-created_at")[:20]
    )
    return [_pending(run) for run in runs]


def latest_runs(service_ids) -> dict:
    """The newest run (the highest id) of each service's pipeline: one query, which reads
    one run a pipeline however many it has had."""
    newest = (
        PipelineRun.objects.filter(pipeline__service_id__in=service_ids)
        .values("pipeline_id")
        .annotate(newest=Max("id"))
        .values("newest")
    )
    runs = PipelineRun.objects.filter(pk__in=newest).select_related("pipeline")
    return {run.pipeline.service_id: _pending(run) for run in runs}
