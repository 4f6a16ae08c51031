"""The one way a GraphQL mutation writes: resolve slugs, call an action, report refusals.

Validation errors come back in the payload as ``errors: [{field, messages}]`` with the object
null, so a form can show them beside its inputs; a refused permission is a GraphQL error
carrying the action's sentence. Each mutation runs in one transaction, so a refusal leaves the
database as it was.
"""

import graphene
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from graphene.utils.str_converters import to_camel_case
from graphql import GraphQLError

from portal import permissions
from portal.models import Interface

from .loaders import clear_request_cache
from .queries import one_by_slug

VIA = Interface.GRAPHQL


class FieldError(graphene.ObjectType):
    field = graphene.String(
        description="The input field at fault; null when it is the whole input."
    )
    messages = graphene.List(graphene.NonNull(graphene.String), required=True)


def field_errors(error: ValidationError, renamed: dict[str, str]) -> list[FieldError]:
    """Django's errors keyed by model field, re-keyed by the camelCase input field."""
    if not hasattr(error, "error_dict"):
        return [FieldError(field=None, messages=error.messages)]
    return [
        FieldError(
            field=None if name == NON_FIELD_ERRORS else to_camel_case(renamed.get(name, name)),
            messages=messages,
        )
        for name, messages in error.message_dict.items()
    ]


def by_slug(info, model, slug: str | None, field: str):
    """The object an input names by slug; an unknown slug is an error on that input field."""
    if slug is None:
        return None
    found = one_by_slug(info, model, slug)
    if found is None:
        raise ValidationError({field: f"No {model._meta.verbose_name} has the slug {slug[:80]!r}."})
    return found


def _refuse_unstorable(data: dict, nullable: set[str]) -> None:
    """Refuse what the database would: an explicit null for a field that cannot be empty
    (Django's ``full_clean`` lets None through on ``blank`` fields), and NUL characters, which
    PostgreSQL cannot store in text."""
    for name, value in data.items():
        if value is None and name not in nullable:
            raise ValidationError({name: "This field cannot be null."})
        values = value if isinstance(value, list | tuple) else [value]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            raise ValidationError({name: "Null characters are not allowed."})


class ActionMutation(graphene.Mutation):
    """Base of every mutation: one ``input`` argument, a payload with ``errors``.

    Subclasses declare ``Arguments.input``, their output fields and
    ``perform(info, actor, **input) -> {output field: value}``; ``error_fields`` renames model
    fields to input fields where the two differ; ``nullable`` names the inputs that may be
    set to null (to clear an optional relation).
    """

    errors = graphene.List(graphene.NonNull(FieldError), required=True)
    error_fields: dict[str, str] = {}
    nullable: set[str] = set()

    class Meta:
        abstract = True

    @classmethod
    def mutate(cls, root, info, input):
        actor, data = info.context.user, dict(input)
        try:
            permissions.require_signed_in(actor)
            _refuse_unstorable(data, cls.nullable)
            with transaction.atomic():
                output = cls.perform(info, actor, **data)
        except ValidationError as error:
            return cls(errors=field_errors(error, cls.error_fields))
        except PermissionDenied as error:
            raise GraphQLError(str(error)) from error
        clear_request_cache(info)
        return cls(errors=[], **output)

    @classmethod
    def perform(cls, info, actor, **data) -> dict:
        raise NotImplementedError
