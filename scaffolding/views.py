"""Self-service pages: choose a template, fill in its form, watch the run."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from catalog.models import DataDomain
from portal import permissions
from portal.lookups import with_slug
from portal.models import Interface
from teams.models import Team

from . import actions
from .models import Pipeline, ScaffoldRun
from .registry import all_templates, get_template


def create(request):
    """``/create/``: the template chooser, or with ``?template=<slug>`` that template's form."""
    from .forms import ScaffoldForm

    slug = request.GET.get("template") or request.POST.get("template")
    if not slug:
        return render(request, "scaffolding/template_list.html", {"templates": all_templates()})
    template = get_template(slug)
    if template is None:
        raise Http404("No such template.")
    teams = actions.teams_for(request.user)
    schema = template.schema_for(teams, actions.domain_choices())
    labels = {
        "teams": dict(Team.objects.filter(slug__in=teams).values_list("slug", "name")),
        "domains": dict(DataDomain.objects.values_list("slug", "name")),
    }
    form = ScaffoldForm(request.POST or None, template=template, schema=schema, labels=labels)
    if request.method == "POST":
        valid = form.is_valid()
        try:
            if not valid:  # still check the rest against the schema, to show every error
                template.validate(form.parameters(), teams=teams, domains=actions.domain_choices())
            else:
                run = actions.request_scaffold(
                    actor=request.user,
                    via=Interface.UI,
                    template=slug,
                    parameters=form.parameters(),
                )
                return redirect(run)
        except ValidationError as error:
            form.add_schema_errors(error)
        except PermissionDenied as error:
            form.add_error("owner_team", str(error))
    return render(
        request,
        "scaffolding/create.html",
        {"template": template, "form": form, "no_team": not teams},
        status=400 if request.method == "POST" else 200,
    )


def _runs(request):
    return permissions.restrict(ScaffoldRun.objects.with_related(), request.user)


def run_list(request):
    return render(request, "scaffolding/run_list.html", {"runs": _runs(request)[:100]})


def run_detail(request, uuid):
    """The run's one view (``run.progress``): as the page, or as REST's JSON when asked."""
    run = get_object_or_404(_runs(request), uuid=uuid)
    if request.GET.get("format") == "json" or request.headers.get("Accept") == "application/json":
        from .api.serializers import ScaffoldRunSerializer

        return JsonResponse(ScaffoldRunSerializer(run).data)
    return render(request, "scaffolding/run_detail.html", {"run": run, "progress": run.progress})


@require_POST
def run_retry(request, uuid):
    """Start a failed run again, as a new run with the same parameters."""
    run = get_object_or_404(_runs(request), uuid=uuid)
    try:
        new = actions.retry_scaffold(run, actor=request.user, via=Interface.UI)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(run)
    return redirect(new)


def pipeline_detail(request, slug):
    pipelines = permissions.restrict(Pipeline.objects.with_related(), request.user)
    pipeline = get_object_or_404(with_slug(pipelines, slug))
    return render(request, "scaffolding/pipeline_detail.html", {"pipeline": pipeline})
