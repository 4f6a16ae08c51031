"""The Import pages: locations with their latest run and forms to register new ones, a
location's runs and entities, a run's report (live while it runs), and one entity as its
descriptor declared it.

Reads: FilterSet → ``with_related()`` → ``restrict()``; writes: form → ``descriptors.actions``
with ``via=Interface.UI``, whose ValidationErrors are shown on the form and whose
PermissionDenied becomes the 403 page.
"""

import yaml
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from portal import permissions
from portal.models import Interface
from portal.pages import FilteredListView, ask_first, by_slug, history, perform

from . import actions, exporting
from .filters import ImportProblemFilterSet, LocationFilterSet
from .forms import GitForm, UploadForm
from .models import Entity, ImportRun, Location
from .querysets import targets_of

UI = Interface.UI
RUNS_SHOWN = 20
ENTITIES_PER_PAGE = 50
PROBLEMS_PER_PAGE = 50


class ImportPage(FilteredListView):
    """Every location with its latest run, and the forms that register new ones."""

    model = Location
    filterset_class = LocationFilterSet
    template_name = "descriptors/import.html"
    heading = "Import"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.setdefault("upload_form", UploadForm(user=user, prefix="upload"))
        context.setdefault("git_form", GitForm(user=user, prefix="git"))
        return context


def imports(request):
    return ImportPage.as_view()(request)


def _create(request, form_class, prefix: str):
    permissions.require_signed_in(request.user)
    form = form_class(request.POST, request.FILES, user=request.user, prefix=prefix)
    created = perform(
        form,
        lambda _: actions.create_location(actor=request.user, via=UI, **form.action_fields()),
    )
    if created is None:  # the Import page again, with this form's errors
        page = ImportPage(extra_context={f"{prefix}_form": form})
        page.setup(request)
        response = page.get(request)
        response.status_code = 400
        return response
    messages.success(request, f"Registered location {created.slug}.")
    return redirect(created)


@require_POST
def upload(request):
    return _create(request, UploadForm, "upload")


@require_POST
def register_git(request):
    return _create(request, GitForm, "git")


def _location(request, slug) -> Location:
    return by_slug(permissions.restrict(Location.objects.with_related(), request.user), slug)


def location_detail(request, slug):
    location = _location(request, slug)
    if location.slug != slug:
        return redirect(location)
    entities = Paginator(
        location.entities.select_related("owner_team").order_by("ref"), ENTITIES_PER_PAGE
    ).get_page(request.GET.get("page"))
    targets_of(entities.object_list)
    context = {
        "location": location,
        "runs": location.runs.select_related("started_by")[:RUNS_SHOWN],
        "entities": entities,
        "can_change": actions.may_import(request.user, location),
        "history": history(location),
    }
    return render(request, "descriptors/location_detail.html", context)


@require_POST
def location_import(request, slug):
    location = _location(request, slug)
    run = actions.start_import(
        location, actor=request.user, via=UI, trigger=ImportRun.Trigger.MANUAL
    )
    return redirect(run)


@require_http_methods(["GET", "POST"])
def location_delete(request, slug):
    location = _location(request, slug)
    if not actions.may_import(request.user, location):
        raise permissions.PermissionDenied(f"You may not delete location {location.slug}.")
    if page := ask_first(
        request,
        question=f"Delete the location {location.slug}?",
        consequence="Its runs go with it. What it imported stays in the catalog, and its "
        "entities are kept as orphans.",
        cancel_url=location.get_absolute_url(),
        action=f"Delete {location.slug}",
    ):
        return page
    try:
        actions.delete_location(location, actor=request.user, via=UI)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(location)
    messages.success(request, f"Deleted location {location.slug}.")
    return redirect("descriptors:imports")


def run_detail(request, pk):
    runs = permissions.restrict(ImportRun.objects.with_related(), request.user)
    run = get_object_or_404(runs, pk=pk)
    filterset = ImportProblemFilterSet(request.GET, queryset=run.problems.all())
    problems = filterset.qs if filterset.is_valid() else run.problems.none()
    counts = ("files", "read", "created", "updated", "unchanged", "orphaned", "removed", "refused")
    context = {
        "run": run,
        "run_counts": [(name.capitalize(), getattr(run, name)) for name in counts],
        "finished": run.status in {ImportRun.Status.SUCCEEDED, ImportRun.Status.FAILED},
        "level": filterset.form.cleaned_data.get("level") if filterset.is_valid() else "",
        "problems": Paginator(problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page")),
    }
    return render(request, "descriptors/run_detail.html", context)


def entity_detail(request, kind, namespace, name):
    entities = permissions.restrict(Entity.objects.with_related(), request.user)
    entity = get_object_or_404(entities, ref=f"{kind}:{namespace}/{name}".lower())
    if entity.get_absolute_url() != request.path:
        return redirect(entity)
    context = {
        "entity": entity,
        "target": targets_of([entity]).get(entity.pk),
        "descriptor": yaml.safe_dump(
            exporting.shown(entity.descriptor), sort_keys=False, allow_unicode=True, width=100
        ),
    }
    return render(request, "descriptors/entity_detail.html", context)
