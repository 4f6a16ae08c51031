"""The base of every REST viewset: reads through ``with_related()`` and ``restrict()``,
writes through the app's actions.

A viewset declares its queryset, serializer, filterset (whose ``ordering`` is the one sort
vocabulary of pages, REST and GraphQL) and the three actions it writes with; serializers only
check shapes and resolve slugs, so validation, permission and the ChangeRecord happen in the
one place every interface shares. Every read, list or detail, nested parent included, passes
through ``restrict()``: a viewset that needs another queryset for one action overrides
``base_queryset()``, never ``get_queryset()``.
"""

from datetime import UTC

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as BadRequest
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from portal.audit import history_for, state_at
from portal.lookups import slug_key, with_slug
from portal.models import ChangeRecord, Interface
from portal.permissions import restrict

from .serializers import ChangeRecordSerializer, StateSerializer


def _moment(text: str | None):
    """``?at=`` as an aware datetime (UTC when no offset is given), or a 400."""
    try:
        plain = text and len(text) <= 64 and text.isascii() and text.isprintable()
        moment = parse_datetime(text) if plain else None
    except ValueError:  # well formed, but no such time (month 13)
        moment = None
    if moment is None:
        raise BadRequest({"at": ["Give an ISO 8601 time, for example 2026-12-01T09:30:00Z."]})
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


def _known_slug(text: str) -> str:
    key = slug_key(text)
    if key is None:
        raise NotFound("No such object.")
    return key


def _known_id(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise NotFound("No such object.")
    return int(text)


def _unchanged(instance, name: str, value) -> bool:
    """Does ``value`` equal what ``instance`` already holds? Many-to-many values always count
    as given: the action compares them."""
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return False
    if field.is_relation:
        return getattr(instance, field.attname) == (value.pk if value is not None else None)
    return getattr(instance, name) == value


class BaseViewSet(viewsets.GenericViewSet):
    """Shared plumbing: the acting user, the permission-restricted queryset, responses."""

    filter_backends = [DjangoFilterBackend]

    def base_queryset(self):
        """What this action reads before permission: the declared queryset by default."""
        return super().get_queryset()

    def get_queryset(self):
        return restrict(self.base_queryset(), self.request.user)

    def get_object(self):
        """A slug in the URL resolves as everywhere else (``portal.lookups``), ignoring case."""
        if self.lookup_field != "slug":
            return super().get_object()
        queryset = self.filter_queryset(self.get_queryset())
        obj = get_object_or_404(with_slug(queryset, self.kwargs[self.lookup_url_kwarg or "slug"]))
        self.check_object_permissions(self.request, obj)
        return obj

    @property
    def acting(self) -> dict:
        """The keyword arguments every action takes."""
        return {"actor": self.request.user, "via": Interface.API}

    def validated(self, serializer_class, data) -> dict:
        serializer = serializer_class(data=data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def reloaded(self, obj):
        """``obj`` read again through the viewset's queryset, with all it shows loaded."""
        return self.get_queryset().get(pk=obj.pk)

    def paginated(self, items, serializer_class) -> Response:
        page = self.paginate_queryset(items)
        data = serializer_class(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)


class ActionViewSet(BaseViewSet, viewsets.ModelViewSet):
    """CRUD whose writes are ``create_action``, ``update_action`` and ``delete_action``
    (set as ``staticmethod``), plus the object's change history."""

    lookup_field = "slug"
    create_action = update_action = delete_action = None

    def perform_create(self, serializer):
        created = self.create_action(**self.acting, **serializer.validated_data)
        serializer.instance = self.reloaded(created)

    def perform_update(self, serializer):
        """A PUT sends the whole object back, create-only fields (slug, owner) included: an
        unchanged value is no change, a different one goes to the action, which refuses it
        with a field error instead of it being ignored."""
        instance = serializer.instance
        changes = {
            name: value
            for name, value in serializer.validated_data.items()
            if not _unchanged(instance, name, value)
        }
        updated = self.update_action(instance, **self.acting, **changes)
        serializer.instance = self.reloaded(updated)

    def perform_destroy(self, instance):
        self.delete_action(instance, **self.acting)

    @extend_schema(responses=ChangeRecordSerializer(many=True), filters=False)
    @action(detail=True, filter_backends=[])
    def history(self, request, **kwargs):
        """Who changed this object (and what went with it), when, through which interface,
        and what changed."""
        return self.paginated(history_for(self.get_object()), ChangeRecordSerializer)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "at", OpenApiTypes.DATETIME, required=True, description="An ISO 8601 time."
            )
        ],
        responses={200: StateSerializer},
        filters=False,
    )
    @action(detail=True, filter_backends=[])
    def state(self, request, **kwargs):
        """The object as it was at ``?at=`` (who owned it then), from its change history;
        an object deleted since is answered too."""
        at = _moment(request.query_params.get("at"))
        lookup = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        model = self.get_queryset().model
        if self.lookup_field == "slug":
            record = state_at(model, at, slug=_known_slug(lookup))
        else:
            record = state_at(model, at, pk=_known_id(lookup))
        if record is None:
            raise NotFound(f"No recorded state of {lookup} at {at.isoformat()}.")
        deleted = record.action == ChangeRecord.Action.DELETE
        state = {
            "at": at,
            "exists": not deleted,
            "state": record.before if deleted else record.after,
            "record": record,
        }
        return Response(StateSerializer(state, context=self.get_serializer_context()).data)


class NestedViewSetMixin:
    """A collection inside one parent object (an API's versions, a team's members); an
    unknown parent is a 404 on every route."""

    parent_queryset = None
    parent_url_kwarg = ""
    parent_field = ""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.parent  # noqa: B018 - resolved now: an unknown parent is a 404 before the body is read

    @cached_property
    def parent(self):
        parents = restrict(self.parent_queryset, self.request.user)
        return get_object_or_404(with_slug(parents, self.kwargs[self.parent_url_kwarg]))

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):  # schema generation has no parent
            return queryset.none()
        return queryset.filter(**{self.parent_field: self.parent})
