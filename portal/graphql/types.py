"""Building blocks shared by every app's GraphQL types."""

import graphene
from django.contrib.auth import get_user_model
from graphene_django import DjangoObjectType

from portal.permissions import PUBLIC_USER_FIELDS, restrict

from .loaders import mark_siblings


def choices_enum(choices, name: str, description: str) -> type[graphene.Enum]:
    """A GraphQL enum from a model's ``TextChoices``, one per vocabulary (not per field)."""
    return graphene.Enum.from_enum(
        choices, name=name, description=lambda value: value.label if value else description
    )


class CountedConnection(graphene.relay.Connection):
    """A Relay connection with ``totalCount``, whose page loads its nested fields in batches."""

    total_count = graphene.Int(required=True, description="Matching objects across all pages.")

    class Meta:
        abstract = True

    @staticmethod
    def resolve_total_count(root, info):
        return root.length

    @staticmethod
    def resolve_edges(root, info):
        mark_siblings(edge.node for edge in root.edges)
        return root.edges


class UserType(DjangoObjectType):
    """A person as every interface shows one: no e-mail address (``portal.permissions``)."""

    class Meta:
        model = get_user_model()
        name = "User"
        fields = PUBLIC_USER_FIELDS


class RestrictedType(DjangoObjectType):
    """Base of the types with root lists: their querysets pass through ``restrict``."""

    class Meta:
        abstract = True

    @classmethod
    def get_queryset(cls, queryset, info):
        return restrict(queryset, info.context.user)
