"""The base of every REST viewset: reads through ``with_related()`` and ``restrict()``,
writes through the app's actions.

A viewset declares its queryset, serializer, filterset (whose ``ordering`` is the one sort
vocabulary of pages, REST and GraphQL) and the three actions it writes with; serializers only
check shapes and resolve slugs, so validation, permission and the ChangeRecord happen in the
one place every interface shares. Every read, list or detail, nested parent included, passes
through ``restrict()``: a viewset that needs another queryset for one action overrides
``base_queryset()``, never ``get_queryset()``.
"""

from django.utils.functional import cached_property
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from portal.audit import history_for
from portal.lookups import with_slug
from portal.models import Interface
from portal.permissions import restrict

from .caching import CachedListMixin
from .serializers import ChangeRecordSerializer


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


class ActionViewSet(CachedListMixin, BaseViewSet, viewsets.ModelViewSet):
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
        """Who changed this object, when, through which interface, and what changed."""
        return self.paginated(history_for(self.get_object()), ChangeRecordSerializer)


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
