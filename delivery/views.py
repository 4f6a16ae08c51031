"""Pipeline run pages: a pipeline's last runs (a partial the pipeline page loads and polls
with htmx while a run is unfinished), starting a run, and a run with its stages' logs; what
runs where (a partial the service page loads), an environment's deployment history, and
rolling an environment back."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from catalog.models import Service
from portal import permissions
from portal.lookups import with_slug
from portal.models import Interface
from portal.pages import ask_first
from scaffolding.models import Pipeline

from . import actions, charts, dora, policy
from .models import Approval, Artifact, Deployment, Environment, PipelineRun, PolicyViolation

RUNS_SHOWN = 10
DEPLOYMENTS_PER_PAGE = 25
VIOLATIONS_SHOWN = 5


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
        "violations": list(
            PolicyViolation.objects.filter(pipeline=pipeline).select_related("environment")[
                :VIOLATIONS_SHOWN
            ]
        ),
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


def _digest_of_run(run) -> str:
    if run.artifact:
        return run.artifact.digest
    package = next((s for s in run.stages.all() if s.name == "package"), None)
    found = package.result.get("artifact") if package and isinstance(package.result, dict) else None
    return found if isinstance(found, str) else ""


def _promotion(request, pipeline, run) -> dict:
    """Whether the run's artifact may go to production, and whether this person may approve
    it there (an approval is asked for and not given yet)."""
    digest = _digest_of_run(run)
    environments = policy.environment_names(pipeline)
    if not digest or policy.PRODUCTION not in environments:
        return {}
    verdict = policy.can_promote(pipeline, digest=digest, environment=policy.PRODUCTION)
    stored = pipeline.environments.filter(name=policy.PRODUCTION, requires_approval=True).exists()
    asks = policy.requires_approval(pipeline, policy.PRODUCTION, stored)
    approved = (
        Approval.objects.filter(
            environment__pipeline=pipeline,
            environment__name=policy.PRODUCTION,
            artifact_digest=digest,
        )
        .select_related("approver")
        .first()
    )
    return {
        "digest": digest,
        "verdict": verdict,
        "approval": approved,
        "can_approve": asks
        and approved is None
        and permissions.can(request.user, permissions.CHANGE, pipeline),
    }


@require_safe
def run_detail(request, slug, number):
    pipeline = _pipeline(request, slug)
    run = get_object_or_404(PipelineRun.objects.with_related(), pipeline=pipeline, number=number)
    context = {"run": run, "pipeline": pipeline, "promotion": _promotion(request, pipeline, run)}
    return render(request, "delivery/run_detail.html", context)


@require_http_methods(["POST"])
def approve(request, slug, number):
    """Approve the run's artifact for production. It deploys nothing: the next promotion of
    the artifact (a new run, or the external CI's production job run again) may deploy it."""
    pipeline = _pipeline(request, slug)
    run = get_object_or_404(PipelineRun.objects.with_related(), pipeline=pipeline, number=number)
    try:
        actions.approve(pipeline, environment=policy.PRODUCTION, digest=_digest_of_run(run),
                        comment=request.POST.get("comment", "")[:2000], actor=request.user,
                        via=Interface.UI)  # fmt: skip
        messages.success(request, "Approved for production: its next promotion may deploy it.")
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect(run)


@require_http_methods(["POST"])
def events_secret(request, slug):
    """Make or rotate the pipeline's CDEvents secret and show it this once (on this page,
    never in a message kept in the session)."""
    pipeline = _pipeline(request, slug)
    context = _runs_context(request, pipeline)
    try:
        context["new_secret"] = actions.rotate_event_secret(
            pipeline, actor=request.user, via=Interface.UI
        )
    except PermissionDenied as error:
        context["secret_error"] = str(error)
    return render(
        request, "delivery/run_list.html", context, status=200 if "new_secret" in context else 403
    )


@require_safe
def artifact_detail(request, digest):
    artifact = get_object_or_404(
        Artifact.objects.select_related("created_by_run__pipeline"), digest=digest[:64].lower()
    )
    return render(request, "delivery/artifact_detail.html", {"artifact": artifact})


def _environments(pipeline) -> list[Environment]:
    return list(
        Environment.objects.filter(pipeline=pipeline)
        .select_related("current__run", "current__actor")
        .order_by("position")
    )


@require_safe
def service_delivery(request, slug):
    """What runs where: the part of a service's page showing each environment of its
    pipeline with the release running there (and a rollback button for its team)."""
    services = permissions.restrict(Service.objects.all(), request.user)
    service = get_object_or_404(with_slug(services, slug))
    pipeline = (
        permissions.restrict(Pipeline.objects.with_related(), request.user)
        .filter(service=service)
        .first()
    )
    return render(request, "delivery/_where.html", {
        "service": service,
        "pipeline": pipeline,
        "environments": _environments(pipeline) if pipeline else [],
        "can_change": pipeline is not None
        and permissions.can(request.user, permissions.CHANGE, pipeline),
    })  # fmt: skip


def _environment(request, slug, name) -> Environment:
    pipeline = _pipeline(request, slug)
    return get_object_or_404(
        Environment.objects.select_related("pipeline", "current__run", "current__actor"),
        pipeline=pipeline,
        name=name[:50],
    )


@require_safe
def environment_detail(request, slug, name):
    """An environment's deployment history, newest first, with the release running now."""
    environment = _environment(request, slug, name)
    history = (
        Deployment.objects.filter(environment=environment)
        .select_related("run", "actor")
        .order_by("-created_at", "-id")
    )
    page = Paginator(history, DEPLOYMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "delivery/environment_detail.html", {
        "environment": environment,
        "pipeline": environment.pipeline,
        "page_obj": page,
        "can_change": permissions.can(request.user, permissions.CHANGE, environment),
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
def environment_rollback(request, slug, name):
    """Roll the environment back to its previous good release, once asked."""
    environment = _environment(request, slug, name)
    permissions.require(request.user, permissions.CHANGE, environment)
    current = environment.current
    good = actions.previous_good(environment, current) if current else None
    release = lambda d: d.version or d.commit_sha[:12]  # noqa: E731
    if page := ask_first(
        request,
        question=f"Roll {environment.name} back"
        + (f" from {release(current)} to {release(good)}?" if good else "?"),
        consequence=(
            f"{environment.name} will run {release(good)} again; the release running now, "
            f"{release(current)}, is stopped and marked rolled back."
            if good
            else f"{environment.name} has no earlier good release: nothing would change."
        ),
        cancel_url=environment.get_absolute_url(),
        action=f"Roll {environment.name} back",
    ):
        return page
    try:
        deployment = actions.rollback(environment, actor=request.user, via=Interface.UI)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request, f"Rolled {environment.name} back: deployment {deployment.pk} is live."
        )
    return redirect(environment)


@require_safe
def dora_figures(request):
    """The DORA figures and their chart for ``?service=`` or ``?team=`` (or everything) over
    ``?days=`` (30): the whole page, or with ``?partial=1`` the part the service and team
    pages load."""
    try:
        found = dora.scope(service=request.GET.get("service"), team=request.GET.get("team"),
                           user=request.user)  # fmt: skip
        days = dora.window(request.GET.get("days", 30))
    except ValidationError as error:
        return render(request, "delivery/dora.html", {"errors": error.messages}, status=400)
    figures = dora.figures(days=days, **found)
    context = {"figures": figures, "chart": charts.bars(figures.daily), **found,
               "query": urlencode({**{n: o.slug for n, o in found.items()}, "days": days})}  # fmt: skip
    template = "delivery/_dora.html" if request.GET.get("partial") else "delivery/dora.html"
    return render(request, template, context)
