from django.http import HttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from catalog import actions, coupling, documents, graph
from catalog.filters import (
    ApiConsumptionFilterSet,
    ApiFilterSet,
    BusinessDomainFilterSet,
    DataDomainFilterSet,
    DependencyFilterSet,
    ResourceFilterSet,
    ServiceFilterSet,
    SystemFilterSet,
)
from catalog.models import (
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
from portal.api import statements, stored
from portal.api.idempotency import CONFLICT, idempotent
from portal.api.idempotency import PARAMETER as IDEMPOTENCY_KEY
from portal.api.renderers import PlainTextRenderer
from portal.api.viewsets import ActionViewSet, BaseViewSet, NestedViewSetMixin
from portal.lookups import with_slug
from teams.models import Team

from . import serializers as s


def _with_documents(services):
    return services.annotate(item=documents.item())


_GRAPH_PARAMETERS = [
    OpenApiParameter(
        "transitive", OpenApiTypes.BOOL, description="Follow edges beyond the first (default true)."
    ),
    OpenApiParameter(
        "max_depth", OpenApiTypes.INT, description="How many edges to follow at most (1-100)."
    ),
]


class ServiceViewSet(ActionViewSet):
    queryset = Service.objects.with_related()
    serializer_class = s.ServiceSerializer
    filterset_class = ServiceFilterSet
    create_action = staticmethod(actions.create_service)
    update_action = staticmethod(actions.update_service)
    delete_action = staticmethod(actions.delete_service)

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY], responses={201: s.ServiceSerializer, 409: CONFLICT}
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Register a service; an Idempotency-Key makes a repeated request answer once."""
        return super().create(request, *args, **kwargs)

    def base_queryset(self):
        if self.action in {"list", "retrieve"}:  # served from the stored documents
            return Service.objects.all()
        return super().base_queryset()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.ServiceDetailSerializer
        return super().get_serializer_class()

    def list(self, request, *args, **kwargs):
        """Services, filtered and sorted; each row is the service's stored document."""
        allowed = self.get_queryset()
        backend = DjangoFilterBackend()
        filterset = backend.get_filterset(request, allowed, self)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        fetch = statements.fetcher(filterset, allowed, _with_documents, ("pk", "item"))
        page = self.paginator.paginate_rows(
            lambda: _with_documents(filterset.qs), request, "pk", "item", fetch=fetch
        )
        body = self.paginator.paginated_json(documents.completed(page, "item"))
        return stored.respond(request, body)

    def retrieve(self, request, *args, **kwargs):
        """A service with its APIs, consumptions, resources and direct dependencies, and the
        first of its dependents: its stored document."""
        body = documents.detail(self.get_queryset(), kwargs["slug"])
        if body is None:
            raise NotFound("No Service matches the given query.")
        return stored.respond(request, body)

    @extend_schema(request=s.ServiceTransferSerializer, responses=s.ServiceSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def transfer(self, request, slug=None):
        """Hand the service to another team; its current owners (or staff) decide."""
        service = self.get_object()
        data = self.validated(s.ServiceTransferSerializer, request.data)
        service = actions.transfer_service(service, new_owner=data["owner_team"], **self.acting)
        return Response(self.get_serializer(self.reloaded(service)).data)

    @extend_schema(
        parameters=_GRAPH_PARAMETERS, responses=s.ReachSerializer(many=True), filters=False
    )
    @action(detail=True, filter_backends=[])
    def dependencies(self, request, slug=None):
        """What this service needs to work, nearest first; resources count as their owner."""
        return self._reaches(graph.DOWN)

    @extend_schema(
        parameters=_GRAPH_PARAMETERS, responses=s.ReachSerializer(many=True), filters=False
    )
    @action(detail=True, filter_backends=[])
    def dependents(self, request, slug=None):
        """What needs this service to work, nearest first."""
        return self._reaches(graph.UP)

    @extend_schema(responses=s.BlastRadiusSerializer, filters=False)
    @action(detail=True, url_path="blast-radius", filter_backends=[])
    def blast_radius(self, request, slug=None):
        """Everything that fails with this service, summarised by the team that gets paged;
        ``dependents/?transitive=true`` pages through the services themselves."""
        service = self.get_object()
        teams = graph.impact_by_team(service)
        summary = {
            "service": service,
            "count": sum(t.services for t in teams),
            "direct": sum(t.direct for t in teams),
            "teams": teams,
        }
        return Response(s.BlastRadiusSerializer(summary).data)

    def _reaches(self, direction: str):
        # A lazy sequence: the paginator counts it and fetches only the page's services.
        params = self.validated(s.GraphQuerySerializer, self.request.query_params)
        reached = graph.reached(self.get_object(), direction, **params)
        return self.paginated(reached, s.ReachSerializer)


class ApiViewSet(ActionViewSet):
    queryset = Api.objects.with_related()
    serializer_class = s.ApiSerializer
    filterset_class = ApiFilterSet
    create_action = staticmethod(actions.create_api)
    update_action = staticmethod(actions.update_api)
    delete_action = staticmethod(actions.delete_api)


@extend_schema(parameters=[OpenApiParameter("api_slug", OpenApiTypes.STR, OpenApiParameter.PATH)])
class ApiVersionViewSet(
    NestedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    BaseViewSet,
):
    """Published versions of an API; immutable, so they are published and read, never edited."""

    queryset = ApiVersion.objects.with_related()
    serializer_class = s.ApiVersionDetailSerializer
    parent_queryset = Api.objects.all()
    parent_url_kwarg = "api_slug"
    parent_field = "api"
    lookup_field = "version"
    lookup_value_regex = "[^/]+"
    filter_backends = []

    def base_queryset(self):
        if self.action == "list":  # specs can be a megabyte each: the list leaves them out
            return super().base_queryset().defer("spec")
        return super().base_queryset()

    def get_serializer_class(self):
        if self.action == "list":
            return s.ApiVersionSerializer
        return super().get_serializer_class()

    def perform_create(self, serializer):
        published = actions.publish_api_version(
            self.parent, **self.acting, **serializer.validated_data
        )
        serializer.instance = self.reloaded(published)

    @extend_schema(
        responses={
            (200, "text/plain"): OpenApiResponse(OpenApiTypes.STR, "The specification text.")
        }
    )
    @action(detail=True, renderer_classes=[JSONRenderer, PlainTextRenderer])
    def spec(self, request, **kwargs):
        """The specification as published, for tools that read the file itself."""
        version = self.get_object()
        response = HttpResponse(version.spec, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = (
            f'inline; filename="{version.api.slug}-{version.version}.spec"'
        )
        return response


class DataDomainViewSet(ActionViewSet):
    queryset = DataDomain.objects.with_related()
    serializer_class = s.DataDomainSerializer
    filterset_class = DataDomainFilterSet
    create_action = staticmethod(actions.create_domain)
    update_action = staticmethod(actions.update_domain)
    delete_action = staticmethod(actions.delete_domain)

    @extend_schema(request=s.DomainTransferSerializer, responses=s.DataDomainSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def transfer(self, request, slug=None):
        """Make another service the domain's system of record."""
        domain = self.get_object()
        data = self.validated(s.DomainTransferSerializer, request.data)
        domain = actions.transfer_domain(domain, new_owner=data["owner_service"], **self.acting)
        return Response(self.get_serializer(self.reloaded(domain)).data)


class SystemViewSet(ActionViewSet):
    queryset = System.objects.with_related()
    serializer_class = s.SystemSerializer
    filterset_class = SystemFilterSet
    create_action = staticmethod(actions.create_system)
    update_action = staticmethod(actions.update_system)
    delete_action = staticmethod(actions.delete_system)

    @extend_schema(request=s.ServiceTransferSerializer, responses=s.SystemSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def transfer(self, request, slug=None):
        """Hand the system to another team; its current owners (or staff) decide."""
        system = self.get_object()
        data = self.validated(s.ServiceTransferSerializer, request.data)
        system = actions.transfer_system(system, new_owner=data["owner_team"], **self.acting)
        return Response(self.get_serializer(self.reloaded(system)).data)


class BusinessDomainViewSet(ActionViewSet):
    queryset = BusinessDomain.objects.with_related()
    serializer_class = s.BusinessDomainSerializer
    filterset_class = BusinessDomainFilterSet
    create_action = staticmethod(actions.create_business_domain)
    update_action = staticmethod(actions.update_business_domain)
    delete_action = staticmethod(actions.delete_business_domain)

    @extend_schema(request=s.ServiceTransferSerializer, responses=s.BusinessDomainSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def transfer(self, request, slug=None):
        """Hand the business domain to another team; its current owners (or staff) decide."""
        domain = self.get_object()
        data = self.validated(s.ServiceTransferSerializer, request.data)
        domain = actions.transfer_business_domain(
            domain, new_owner=data["owner_team"], **self.acting
        )
        return Response(self.get_serializer(self.reloaded(domain)).data)


class ResourceViewSet(ActionViewSet):
    queryset = Resource.objects.with_related()
    serializer_class = s.ResourceSerializer
    filterset_class = ResourceFilterSet
    create_action = staticmethod(actions.create_resource)
    update_action = staticmethod(actions.update_resource)
    delete_action = staticmethod(actions.delete_resource)


class DependencyViewSet(ActionViewSet):
    queryset = Dependency.objects.with_related()
    serializer_class = s.DependencySerializer
    filterset_class = DependencyFilterSet
    lookup_field = "id"
    lookup_value_regex = "[0-9]+"
    create_action = staticmethod(actions.add_dependency)
    update_action = staticmethod(actions.update_dependency)
    delete_action = staticmethod(actions.remove_dependency)


class ApiConsumptionViewSet(ActionViewSet):
    queryset = ApiConsumption.objects.with_related()
    serializer_class = s.ApiConsumptionSerializer
    filterset_class = ApiConsumptionFilterSet
    lookup_field = "id"
    lookup_value_regex = "[0-9]+"
    create_action = staticmethod(actions.add_consumption)
    update_action = staticmethod(actions.update_consumption)
    delete_action = staticmethod(actions.remove_consumption)


class CycleViewSet(mixins.ListModelMixin, BaseViewSet):
    """Every dependency cycle in the catalog, largest first, with one loop through each."""

    serializer_class = s.CycleSerializer
    filter_backends = []

    def list(self, request, *args, **kwargs):
        return self.paginated(graph.find_cycles(), s.CycleSerializer)


class TeamCouplingView(GenericAPIView):
    """Conway's law: every team with its number of partner teams, and the weighted links
    between teams (cross-team dependencies by kind, API consumptions), from caller to called.
    One document, not a page: a view of its own, beside the viewset of the links."""

    serializer_class = s.TeamCouplingSerializer

    def get(self, request, *args, **kwargs):
        return Response(coupling.team_coupling(request.user))


class TeamLinkViewSet(BaseViewSet):
    """The services behind the links between teams."""

    queryset = Team.objects.all()
    lookup_field = "slug"
    filter_backends = []

    @extend_schema(
        parameters=[OpenApiParameter("target_slug", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses=s.TeamLinkServiceSerializer(many=True),
    )
    @action(detail=True, url_path=r"links/(?P<target_slug>[^/.]+)")
    def links(self, request, slug=None, target_slug=None):
        """The dependencies and API consumptions behind the link from this team to another."""
        source = self.get_object()
        target = get_object_or_404(with_slug(self.get_queryset(), target_slug))
        rows = coupling.links_between(source, target, request.user)
        return self.paginated(rows, s.TeamLinkServiceSerializer)
