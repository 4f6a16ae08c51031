"""Pipeline run pages: a pipeline's last runs (a partial the pipeline page loads and polls
with htmx while a run is unfinished), starting a run, and a run with its stages' logs."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from portal import permissions
from portal.lookups import with_slug
from portal.models import Interface
from scaffolding.models import Pipeline

from . import actions
from .models import Artifact, PipelineRun

RUNS_SHOWN = 10


def _pipeline(request, slug) -> Pipeline:
    pipelines = permissions.restrict(Pipeline.objects.with_related(), request.user)
    return get_object_or_404(with_slug(pipelines, slug))


def _runs_context(request, pipeline) -> dict:
    runs = list(
        PipelineRun.objects.with_related()
        .filter(pipeline=pipeline)
        .order_by("-number")[:RUNS_SHOWN]
    )
    return {
        "pipeline": pipeline,
        "runs": runs,
        "active": any(not run.is_finished for run in runs),
        "can_start": permissions.can(request.user, permissions.CHANGE, pipeline),
    }


@require_http_methods(["GET", "HEAD", "POST"])
def pipeline_runs(request, slug):
    """GET: the pipeline's last runs (the whole page, or with ``?partial=1`` the part the
    pipeline page embeds). POST: start a run of the head of ``main``."""
    pipeline = _pipeline(request, slug)
    if request.method == "POST":
        try:
            run = actions.start_run(pipeline, actor=request.user, via=Interface.UI)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect("delivery:pipeline-runs", slug=pipeline.slug)
        return redirect(run)
    template = "delivery/_runs.html" if request.GET.get("partial") else "delivery/run_list.html"
    return render(request, template, _runs_context(request, pipeline))


@require_safe
def run_detail(request, slug, number):
    pipeline = _pipeline(request, slug)
    run = get_object_or_404(PipelineRun.objects.with_related(), pipeline=pipeline, number=number)
    return render(request, "delivery/run_detail.html", {"run": run, "pipeline": pipeline})


@require_safe
def artifact_detail(request, digest):
    artifact = get_object_or_404(
        Artifact.objects.select_related("created_by_run__pipeline"), digest=digest[:64].lower()
    )
    return render(request, "delivery/artifact_detail.html", {"artifact": artifact})
