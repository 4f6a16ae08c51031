"""The columns a query asks for, so that loaders read those and leave the rest.

A page of a hundred services with their owners' members reads about a thousand rows; building
a model instance costs in proportion to its columns (each timestamp is parsed), and most
columns are never shown. ``columns`` names the model fields that the fields selected below a
GraphQL field need: a scalar field reads its column, a field named after a foreign key reads
the key (its resolver loads the object by it), and the relations a loader joins
(``select_related``) read the columns selected on them. Fields that are no column (reverse
relations, lists a loader fetches, computed fields) need only the primary key, which is always
read.

It errs on the side of reading more: every fragment counts, whatever its type condition or
directives. Reading too little would cost a query per object when the field is read.
"""

from django.core.exceptions import FieldDoesNotExist
from graphene.utils.str_converters import to_camel_case
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    InlineFragmentNode,
    get_named_type,
)

_python_names: dict = {}  # GraphQLObjectType -> {GraphQL field name: graphene field name}


def subfields(info, nodes) -> dict[str, list[FieldNode]]:
    """The fields selected under ``nodes``, by name, through every fragment."""
    found: dict[str, list[FieldNode]] = {}
    pending = [node.selection_set for node in nodes if node.selection_set]
    seen: set[str] = set()
    while pending:
        for node in pending.pop().selections:
            if isinstance(node, FieldNode):
                found.setdefault(node.name.value, []).append(node)
            elif isinstance(node, InlineFragmentNode):
                pending.append(node.selection_set)
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
                seen.add(node.name.value)
                if fragment := info.fragments.get(node.name.value):
                    pending.append(fragment.selection_set)
    return found


def _names(object_type: GraphQLObjectType) -> dict[str, str]:
    names = _python_names.get(object_type)
    if names is None:
        graphene_type = getattr(object_type, "graphene_type", None)
        fields = graphene_type._meta.fields if graphene_type else {}
        names = _python_names[object_type] = {
            field.name or to_camel_case(name): name for name, field in fields.items()
        }
    return names


def columns(info, model, object_type, nodes, joined=()) -> list[str]:
    """The fields of ``model`` (as ``QuerySet.only`` takes them) that the selections under
    ``nodes`` need on ``object_type``; ``joined`` names the relations loaded with it."""
    needed = [model._meta.pk.name]
    names = _names(object_type)
    for name, below in subfields(info, nodes).items():
        python_name = names.get(name)
        try:
            field = model._meta.get_field(python_name) if python_name else None
        except FieldDoesNotExist:
            continue
        if field is None or not field.concrete or field.many_to_many:
            continue
        if field.is_relation and python_name in joined:
            related_type = get_named_type(object_type.fields[name].type)
            inner = columns(info, field.related_model, related_type, below)
            needed.extend(f"{python_name}__{column}" for column in inner)
        else:
            needed.append(python_name)
    return needed
