"""REST for catalog as code: locations (register, change, remove, import now), their runs
with the problems each met, the entities they declared, and the catalog exported in their
format. Writes go through ``descriptors.actions``."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as BadRequest
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.idempotency import CONFLICT, idempotent
from portal.api.idempotency import PARAMETER as IDEMPOTENCY_KEY
from portal.api.viewsets import ActionViewSet, BaseViewSet, _known_id

from .. import actions, exporting
from ..filters import EntityFilterSet, ImportProblemFilterSet, ImportRunFilterSet, LocationFilterSet
from ..models import Entity, ImportRun, Location
from ..querysets import targets_of
from ..refs import Ref, RefError, parse_ref
from . import serializers as s


class LocationViewSet(ActionViewSet):
    """Where descriptors are read from. Upload locations carry the file in ``content``;
    path locations are staff's; git locations name a clone URL (or ``keel:<name>``)."""

    queryset = Location.objects.with_related()
    serializer_class = s.LocationSerializer
    filterset_class = LocationFilterSet
    create_action = staticmethod(actions.create_location)
    update_action = staticmethod(actions.update_location)
    delete_action = staticmethod(actions.delete_location)

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY], responses={201: s.LocationSerializer, 409: CONFLICT}
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Register a location; an Idempotency-Key makes a repeated request answer once."""
        return super().create(request, *args, **kwargs)

    @extend_schema(request=None, responses={202: s.ImportRunSerializer}, filters=False)
    @action(detail=True, methods=["post"], url_path="import", filter_backends=[])
    def start_import(self, request, slug=None):
        """Read the location now; answers with the run (poll it while it is not finished)."""
        run = actions.start_import(
            self.get_object(), **self.acting, trigger=ImportRun.Trigger.MANUAL
        )
        run = ImportRun.objects.with_related().get(pk=run.pk)
        return Response(s.ImportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class ImportRunViewSet(BaseViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Each read of a location: its progress, what it read, created, updated, left
    unchanged, orphaned and refused; ``problems`` lists what it could not do."""

    queryset = ImportRun.objects.with_related()
    serializer_class = s.ImportRunSerializer
    filterset_class = ImportRunFilterSet
    lookup_field = "id"
    lookup_value_regex = "[0-9]+"

    def get_object(self):
        _known_id(self.kwargs["id"])
        return super().get_object()

    @extend_schema(
        responses=s.ImportProblemSerializer(many=True),
        parameters=[
            OpenApiParameter(
                "level", str, enum=["error", "warning"], description="Only problems of this level."
            )
        ],
        filters=False,
    )
    @action(detail=True, filter_backends=[])
    def problems(self, request, id=None):
        """What the run refused (``error``) or imported with a reservation (``warning``),
        with the file, document and line it came from."""
        run = self.get_object()
        filterset = ImportProblemFilterSet(request.query_params, queryset=run.problems.all())
        if not filterset.is_valid():
            raise BadRequest(filterset.errors)
        return self.paginated(filterset.qs, s.ImportProblemSerializer)


_REF_PARAMETERS = [
    OpenApiParameter(part, str, OpenApiParameter.PATH, description=description)
    for part, description in (
        ("kind", "The entity's kind, e.g. component."),
        ("namespace", "Its namespace, e.g. default."),
        ("name", "Its name."),
    )
]


class EntityViewSet(BaseViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Entities as their locations declared them, with the catalog object each became; an
    orphan is one its location no longer declares. The detail route is
    ``entities/<kind>/<namespace>/<name>/``."""

    queryset = Entity.objects.with_related()
    serializer_class = s.EntitySerializer
    filterset_class = EntityFilterSet

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        targets_of(page)
        return page

    def get_object(self):
        ref = f"{self.kwargs['kind']}:{self.kwargs['namespace']}/{self.kwargs['name']}".lower()
        found = self.get_queryset().filter(ref=ref).first()
        if found is None:
            raise NotFound(f"No entity {ref[:300]}.")
        return found

    @extend_schema(parameters=_REF_PARAMETERS, filters=False)
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


def _owned_by(item: dict, group: Ref) -> bool:
    """Does the entity name ``group`` as its owner (or is it that Group)?"""
    metadata, spec = item.get("metadata") or {}, item.get("spec") or {}
    namespace = metadata.get("namespace") or "default"
    try:
        if item.get("kind") == "Group":
            return (
                parse_ref(metadata.get("name"), default_kind="group", default_namespace=namespace)
                == group
            )
        return (
            parse_ref(spec.get("owner"), default_kind="group", default_namespace=namespace) == group
        )
    except RefError:
        return False


def exported(*, format: str, kind: str = "", owner_team: str = "") -> tuple[str, str]:
    """The text of the export and its media type."""
    items = exporting.entities()
    if kind:
        items = [i for i in items if str(i.get("kind", "")).lower() == kind.lower()]
    if owner_team:
        try:
            group = parse_ref(owner_team, default_kind="group")
        except RefError:
            group = None
        items = [i for i in items if group is not None and _owned_by(i, group)]
    if format == "json":
        return exporting.as_json(items), "application/json"
    return exporting.as_yaml(items), "application/yaml"


_ENTITIES = {"type": "array", "items": {"type": "object", "additionalProperties": True}}


class ExportView(APIView):
    """The catalog, or the part of it a kind or a team names, as Backstage-format entities:
    multi-document YAML, or JSON with each entity's relations."""

    def perform_content_negotiation(self, request, force=False):
        """``?format=`` chooses what the export is written as, not DRF's renderer; errors
        are JSON, as everywhere under /api/."""
        return JSONRenderer(), JSONRenderer.media_type

    @extend_schema(
        parameters=[s.ExportQuerySerializer],
        responses={
            (200, "application/yaml"): OpenApiResponse(
                _ENTITIES, "A stream of YAML documents, one entity each."
            ),
            (200, "application/json"): OpenApiResponse(
                _ENTITIES, "A list of entities, each with its relations."
            ),
        },
        operation_id="export_retrieve",
    )
    def get(self, request):
        given = {k: v for k, v in request.query_params.items() if v}  # empty is no value
        query = s.ExportQuerySerializer(data=given)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        text, content_type = exported(**data)
        response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="catalog.{data["format"]}"'
        return response
