"""Catalog pages: lists, detail pages and edit forms for services, APIs, data domains,
systems and business domains.

Reads: FilterSet → ``with_related()`` → ``restrict()``; writes: form → ``catalog.actions``
with ``via=Interface.UI`` and the signed-in user, whose ValidationErrors are shown next to
the fields and whose PermissionDenied becomes the 403 page.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.db.models.functions import Length
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from portal import graphdata, permissions
from portal.lookups import with_slug
from portal.models import Interface
from portal.pages import (
    FilteredListView,
    SlugDetailView,
    ask_first,
    by_slug,
    counted,
    history,
    perform,
)
from teams.models import Membership, Team

from . import actions, spec_views
from .filters import (
    ApiFilterSet,
    BusinessDomainFilterSet,
    DataDomainFilterSet,
    ServiceFilterSet,
    SystemFilterSet,
)
from .forms import (
    BusinessDomainForm,
    ConsumptionForm,
    DependencyForm,
    PublishVersionForm,
    ServiceForm,
    SystemForm,
)
from .graph import UP, DependencyGraph, blast_radius, impact_by_team
from .models import (
    Api,
    ApiConsumption,
    ApiVersion,
    BusinessDomain,
    DataDomain,
    Dependency,
    Resource,
    Service,
    System,
)

UI = Interface.UI
# A service page's neighbourhood picture: readable, and quick to draw for a core service.
SERVICE_GRAPH_NODES = 200
# Past this many failing services, a service page summarises its blast radius by team.
BLAST_LISTED = 200
BLAST_TEAMS_SHOWN = 50


def _choices(form, name: str, options, any_label: str, label: str) -> None:
    """Turn a slug filter into a drop-down of ``options`` (value, label)."""
    if name in form.fields:
        form.fields[name].widget = forms.Select(choices=[("", any_label), *options])
        form.fields[name].label = label


def _any_label(form) -> None:
    """Every choice filter starts with "Any" (meaning: not filtered)."""
    for field in form.fields.values():
        if not isinstance(field, forms.ChoiceField):
            continue
        real = [c for c in field.choices if c[0] != ""]
        if hasattr(field, "empty_label"):  # django-filter's ChoiceField adds the empty choice
            field.empty_label = "Any"
            field.choices = real
        else:  # TypedChoiceField has none
            field.choices = [("", "Any"), *real]


def _options(model):
    """A drop-down's choices: every object of ``model`` by name."""
    return list(model.objects.order_by("name").values_list("slug", "name"))


# --- lists ----------------------------------------------------------------------------------


def _tag_counts(services):
    """How many of ``services`` carry each tag, the most used first."""
    return (
        Service.tags.through.objects.filter(service__in=services.values("pk"))
        .values_list("tag__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "tag__name")
    )


class ServiceList(FilteredListView):
    model = Service
    filterset_class = ServiceFilterSet
    template_name = "catalog/service_list.html"
    heading = "Services"
    facets = {
        "lifecycle": counted("lifecycle"),
        "tier": counted("tier"),
        "kind": counted("kind"),
        "language": counted("language", skip_blank=True),
        "tag": _tag_counts,
    }

    def customize_filter_form(self, form):
        _any_label(form)
        _choices(form, "owner_team", _options(Team), "Any team", "Owner team")
        _choices(form, "domain", _options(DataDomain), "Any domain", "Data domain")
        _choices(form, "system", _options(System), "Any system", "System")


class ApiList(FilteredListView):
    model = Api
    filterset_class = ApiFilterSet
    template_name = "catalog/api_list.html"
    heading = "APIs"
    facets = {"type": counted("type"), "lifecycle": counted("lifecycle")}

    def base_queryset(self):
        return Api.objects.with_related().annotate(consumer_count=Count("consumptions"))

    def customize_filter_form(self, form):
        _any_label(form)
        _choices(form, "owner_team", _options(Team), "Any team", "Owner team")
        _choices(form, "domain", _options(DataDomain), "Any domain", "Data domain")
        _choices(form, "system", _options(System), "Any system", "System")


class DomainList(FilteredListView):
    model = DataDomain
    filterset_class = DataDomainFilterSet
    template_name = "catalog/datadomain_list.html"
    heading = "Data domains"

    def base_queryset(self):
        return DataDomain.objects.with_related().annotate(
            resource_count=Count("resources", distinct=True),
            service_count=Count("services", distinct=True),
        )

    def customize_filter_form(self, form):
        _choices(form, "owner_team", _options(Team), "Any team", "Owner team")


class SystemList(FilteredListView):
    model = System
    filterset_class = SystemFilterSet
    template_name = "catalog/system_list.html"
    heading = "Systems"

    def base_queryset(self):
        return System.objects.with_related().annotate(
            service_count=Count("services", distinct=True),
            api_count=Count("apis", distinct=True),
        )

    def customize_filter_form(self, form):
        _choices(form, "owner_team", _options(Team), "Any team", "Owner team")
        _choices(form, "business_domain", _options(BusinessDomain), "Any domain", "Business domain")


class BusinessDomainList(FilteredListView):
    model = BusinessDomain
    filterset_class = BusinessDomainFilterSet
    template_name = "catalog/businessdomain_list.html"
    heading = "Business domains"

    def base_queryset(self):
        return BusinessDomain.objects.with_related().annotate(system_count=Count("systems"))

    def customize_filter_form(self, form):
        _choices(form, "owner_team", _options(Team), "Any team", "Owner team")


# --- detail pages ---------------------------------------------------------------------------


def _restricted(queryset, request):
    return permissions.restrict(queryset, request.user)


def _blast_context(service, graph) -> dict:
    """Every failing service by team when they fit on a page; past ``BLAST_LISTED``, the
    per-team summary (one narrow query), the most affected ``BLAST_TEAMS_SHOWN`` teams."""
    if len(graph.walk(service.pk, UP)) <= BLAST_LISTED:
        return {"blast": blast_radius(service, graph=graph)}
    impact = impact_by_team(service, graph=graph)
    return {
        "impact": impact,
        "impact_shown": impact[:BLAST_TEAMS_SHOWN],
        "impact_total": sum(i.services for i in impact),
        "impact_direct": sum(i.direct for i in impact),
    }


class ServiceDetail(SlugDetailView):
    template_name = "catalog/service_detail.html"

    def get_queryset(self):
        return _restricted(Service.objects.with_neighbours(), self.request).prefetch_related(
            "owned_domains"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        service = self.object
        graph = DependencyGraph.current()
        context.update(
            leads=Membership.objects.filter(team=service.owner_team_id, role=Membership.Role.LEAD)
            .select_related("user")
            .order_by("user__username"),
            **_blast_context(service, graph),
            elements=graphdata.graph_elements(
                service=service, depth=2, graph=graph, limit=SERVICE_GRAPH_NODES
            ),
            resources=Resource.objects.filter(service=service).select_related("data_domain"),
            history=history(service),
            can_change=permissions.can(self.request.user, permissions.CHANGE, service),
        )
        return context


class ApiDetail(SlugDetailView):
    template_name = "catalog/api_detail.html"

    def get_queryset(self):
        return _restricted(Api.objects.with_related(), self.request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        api = self.object
        # Specs and summaries can be megabytes: read only the selected version's summary.
        versions = list(
            api.versions.select_related("published_by")
            .defer("spec", "summary")
            .annotate(spec_chars=Length("spec"))
        )
        wanted = self.request.GET.get("version")
        selected = next(
            (v for v in versions if v.version == wanted), versions[0] if versions else None
        )
        if wanted and selected is not None and selected.version != wanted:
            raise Http404(f"API {api.slug} has no version {wanted}.")
        summary = selected.summary if selected else {}
        context.update(
            versions=versions,
            selected=selected,
            summary=summary,
            listing=spec_views.listing(api.type, summary, self.request.GET.get("page")),
            viewer_starts=spec_views.viewer_starts_at_once(summary),
            spec_inline=selected is not None and spec_views.text_inline(selected.spec_chars),
            consumers=api.consumptions.select_related("consumer__owner_team").order_by(
                "consumer__slug"
            ),
            history=history(api),
            can_change=permissions.can(self.request.user, permissions.CHANGE, api),
        )
        return context


class DomainDetail(SlugDetailView):
    template_name = "catalog/datadomain_detail.html"

    def get_queryset(self):
        return _restricted(DataDomain.objects.with_related(), self.request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        domain = self.object
        apis = list(
            Api.objects.with_related()
            .filter(Q(provider=domain.owner_service_id) | Q(provider__data_domain=domain))
            .order_by("slug")
        )
        context.update(
            resources=domain.resources.select_related("service", "owner_team").order_by("slug"),
            services=domain.services.select_related("owner_team").order_by("slug"),
            apis=apis,
            consumptions=ApiConsumption.objects.filter(api__in=[a.pk for a in apis])
            .select_related("consumer__owner_team", "api")
            .order_by("consumer__slug", "api__slug"),
            history=history(domain),
        )
        return context


class SystemDetail(SlugDetailView):
    template_name = "catalog/system_detail.html"

    def get_queryset(self):
        return _restricted(System.objects.with_related(), self.request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        system = self.object
        context.update(
            services=_restricted(Service.objects.with_related(), self.request)
            .filter(system=system)
            .order_by("slug"),
            apis=_restricted(Api.objects.with_related(), self.request)
            .filter(system=system)
            .order_by("slug"),
            resources=_restricted(Resource.objects.with_related(), self.request)
            .filter(system=system)
            .order_by("slug"),
            history=history(system),
            can_change=permissions.can(self.request.user, permissions.CHANGE, system),
        )
        return context


class BusinessDomainDetail(SlugDetailView):
    template_name = "catalog/businessdomain_detail.html"

    def get_queryset(self):
        return _restricted(BusinessDomain.objects.with_related(), self.request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        domain = self.object
        context.update(
            systems=_restricted(System.objects.with_related(), self.request)
            .filter(business_domain=domain)
            .annotate(service_count=Count("services"))
            .order_by("slug"),
            history=history(domain),
            can_change=permissions.can(self.request.user, permissions.CHANGE, domain),
        )
        return context


def api_spec(request, slug, version):
    """The raw specification of one version: shown by the viewer, or downloaded."""
    versions = permissions.restrict(ApiVersion.objects.select_related("api"), request.user)
    api_version = get_object_or_404(with_slug(versions, slug, "api__slug"), version=version)
    content_type, extension = spec_views.media_type(api_version.api.type, api_version.spec)
    response = HttpResponse(api_version.spec, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = (
        f'{disposition}; filename="{api_version.api.slug}-{api_version.version}.{extension}"'
    )
    return response


# --- edit forms -----------------------------------------------------------------------------


def _service_for_change(request, slug) -> Service:
    service = by_slug(Service.objects.select_related("owner_team"), slug)
    permissions.require(request.user, permissions.CHANGE, service)
    return service


def service_edit(request, slug):
    service = _service_for_change(request, slug)
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, "Nothing changed.")
            return redirect(service)
        if perform(
            form, lambda _: actions.update_service(service, actor=request.user, via=UI, **changes)
        ):
            messages.success(request, f"Saved {service.name}.")
            return redirect(service)
    return render(request, "catalog/service_form.html", {"service": service, "form": form})


def _connections_page(request, service, dependency_form=None, consumption_form=None, status=200):
    context = {
        "service": service,
        "dependencies": service.dependencies.select_related(
            "target_service", "target_resource__service", "target_resource__owner_team"
        ).order_by("id"),
        "consumptions": service.consumptions.select_related("api__provider").order_by("api__slug"),
        "dependency_form": dependency_form or DependencyForm(),
        "consumption_form": consumption_form or ConsumptionForm(),
    }
    return render(request, "catalog/service_connections.html", context, status=status)


def service_connections(request, slug):
    """What the service depends on and which APIs it consumes, with forms to change both."""
    service = _service_for_change(request, slug)
    return _connections_page(request, service)


@require_POST
def dependency_add(request, slug):
    service = _service_for_change(request, slug)
    form = DependencyForm(request.POST)
    dependency = perform(
        form,
        lambda data: actions.add_dependency(actor=request.user, via=UI, source=service, **data),
    )
    if dependency:
        messages.success(request, f"Added: {dependency}.")
        return redirect("catalog:service-connections", slug=service.slug)
    return _connections_page(request, service, dependency_form=form, status=400)


@require_http_methods(["GET", "POST"])
def dependency_remove(request, slug, pk):
    service = _service_for_change(request, slug)
    dependency = get_object_or_404(
        Dependency.objects.select_related("target_service", "target_resource"),
        pk=pk,
        source=service,
    )
    if page := ask_first(
        request,
        question=f"Remove the dependency {dependency}?",
        consequence=f"{service.name} will no longer be shown as depending on {dependency.target}: "
        "it leaves the dependency graph and the blast radius of both.",
        cancel_url=reverse("catalog:service-connections", kwargs={"slug": service.slug}),
        action="Remove the dependency",
    ):
        return page
    try:
        actions.remove_dependency(dependency, actor=request.user, via=UI)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Removed: {dependency}.")
    return redirect("catalog:service-connections", slug=service.slug)


@require_POST
def consumption_add(request, slug):
    service = _service_for_change(request, slug)
    form = ConsumptionForm(request.POST)
    consumption = perform(
        form,
        lambda data: actions.add_consumption(actor=request.user, via=UI, consumer=service, **data),
    )
    if consumption:
        messages.success(request, f"Recorded: {consumption}.")
        return redirect("catalog:service-connections", slug=service.slug)
    return _connections_page(request, service, consumption_form=form, status=400)


@require_http_methods(["GET", "POST"])
def consumption_remove(request, slug, pk):
    service = _service_for_change(request, slug)
    consumption = get_object_or_404(
        ApiConsumption.objects.select_related("api"), pk=pk, consumer=service
    )
    if page := ask_first(
        request,
        question=f"Stop recording that {service.slug} consumes {consumption.api.slug}?",
        consequence=f"{service.slug} will no longer be told about changes to {consumption.api.slug}. "
        "The dependency this consumption implied stays until it is removed itself.",
        cancel_url=reverse("catalog:service-connections", kwargs={"slug": service.slug}),
        action="Stop recording it",
    ):
        return page
    try:
        actions.remove_consumption(consumption, actor=request.user, via=UI)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Removed: {consumption}.")
    return redirect("catalog:service-connections", slug=service.slug)


def api_publish(request, slug):
    api = by_slug(Api.objects.select_related("provider__owner_team"), slug)
    permissions.require(request.user, permissions.CHANGE, api)
    form = PublishVersionForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        version = perform(
            form,
            lambda data: actions.publish_api_version(
                api, actor=request.user, via=UI, version=data["version"], spec=data["spec"]
            ),
        )
        if version:
            messages.success(request, f"Published {api.name} {version.version}.")
            return redirect(f"{api.get_absolute_url()}?version={version.version}")
    return render(request, "catalog/api_publish.html", {"api": api, "form": form}, status=status)


# --- systems and business domains: create, edit, delete ------------------------------------
# One view each for both models, which ``catalog/urls.py`` passes as ``model``.

_GROUPINGS = {
    System: (SystemForm, actions.create_system, actions.update_system, actions.delete_system),
    BusinessDomain: (
        BusinessDomainForm,
        actions.create_business_domain,
        actions.update_business_domain,
        actions.delete_business_domain,
    ),
}
_CONSEQUENCE = {
    System: lambda s: (
        f"Its {s.services.count()} services, {s.apis.count()} APIs and "
        f"{s.resources.count()} resources stay, without a system."
    ),
    BusinessDomain: lambda d: f"Its {d.systems.count()} systems stay, outside any business domain.",
}


def _list_url(model) -> str:
    return reverse(f"catalog:{model._meta.verbose_name.replace(' ', '-')}-list")


def _form_page(request, model, form, obj=None):
    context = {
        "form": form,
        "object": obj,
        "noun": model._meta.verbose_name,
        "list_url": _list_url(model),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "catalog/grouping_form.html", context, status=status)


def grouping_create(request, model):
    form_class, create, _, _ = _GROUPINGS[model]
    form = form_class(request.POST or None, user=request.user)
    if request.method == "POST":
        created = perform(form, lambda data: create(actor=request.user, via=UI, **data))
        if created:
            messages.success(request, f"Created {created.name}.")
            return redirect(created)
    return _form_page(request, model, form)


def _for_change(request, model, slug):
    obj = by_slug(model.objects.with_related(), slug)
    permissions.require(request.user, permissions.CHANGE, obj)
    return obj


def grouping_edit(request, model, slug):
    form_class, _, update, _ = _GROUPINGS[model]
    obj = _for_change(request, model, slug)
    form = form_class(request.POST or None, instance=obj, user=request.user)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, "Nothing changed.")
            return redirect(obj)
        if perform(form, lambda _: update(obj, actor=request.user, via=UI, **changes)):
            messages.success(request, f"Saved {obj.name}.")
            return redirect(obj)
    return _form_page(request, model, form, obj)


@require_http_methods(["GET", "POST"])
def grouping_delete(request, model, slug):
    _, _, _, delete = _GROUPINGS[model]
    obj = _for_change(request, model, slug)
    if page := ask_first(
        request,
        question=f"Delete the {model._meta.verbose_name} {obj.name}?",
        consequence=_CONSEQUENCE[model](obj),
        cancel_url=obj.get_absolute_url(),
        action=f"Delete {obj.name}",
    ):
        return page
    try:
        delete(obj, actor=request.user, via=UI)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(obj)
    messages.success(request, f"Deleted {obj.name}.")
    return redirect(_list_url(model))
