"""How graphql-core executes Keel's schema: synchronously, with a short path for plain fields.

A response of a hundred services with their owners, members and dependencies holds thousands
of scalar fields (a slug, a role, a depth), and graphql-core spends more on each one than on
reading it: a path, a resolve info, the argument values, two resolver calls and a completion
that tests the type four ways. Most of them are *plain*: graphene's default resolver reading
one attribute, no arguments, and a scalar or enum type. Those are read and serialised
directly. Anything unusual on the way (a missing value for a non-null field, an exception, a
value the type refuses) goes the ordinary way instead, which reads the attribute again and
reports the error exactly as graphql-core would.
"""

from functools import partial

from graphene.types.resolver import attr_resolver, dict_or_attr_resolver, dict_resolver
from graphql import (
    ExecutionContext,
    GraphQLObjectType,
    Undefined,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
)
from graphql.pyutils import Path

_DEFAULT_RESOLVERS = (dict_or_attr_resolver, attr_resolver, dict_resolver)
_ORDINARY = object()  # a plain field's value that must take graphql-core's own path

# GraphQLObjectType -> {field name: (attribute, default, serialize, non-null)}; the schema
# is built once per process, and its types never change.
_plain: dict = {}


def _plain_fields(parent_type: GraphQLObjectType) -> dict:
    fields = _plain.get(parent_type)
    if fields is None:
        fields = _plain[parent_type] = {}
        for name, field in parent_type.fields.items():
            resolve, leaf = field.resolve, get_nullable_type(field.type)
            if (
                isinstance(resolve, partial)
                and resolve.func in _DEFAULT_RESOLVERS
                and len(resolve.args) == 2
                and not resolve.keywords
                and not field.args
                and is_leaf_type(leaf)
            ):
                attname, default = resolve.args
                fields[name] = (attname, default, leaf.serialize, is_non_null_type(field.type))
    return fields


def _plain_value(spec, source):
    attname, default, serialize, non_null = spec
    try:
        if isinstance(source, dict):
            value = source.get(attname, default)
        else:
            value = getattr(source, attname, default)
        if value is None:
            return _ORDINARY if non_null else None
        serialized = serialize(value)
    except Exception:  # noqa: BLE001 - graphql-core's own path reports it
        return _ORDINARY
    return _ORDINARY if serialized is None or serialized is Undefined else serialized


class KeelExecutionContext(ExecutionContext):
    """Every resolver here returns its value (loaders batch synchronously, see ``loaders``),
    so no value is tested for being awaitable; plain fields take the short path (module)."""

    is_awaitable = staticmethod(lambda value: False)

    def execute_fields(self, parent_type, source_value, path, fields):
        results = {}
        plain = _plain_fields(parent_type)
        for response_name, field_nodes in fields.items():
            spec = plain.get(field_nodes[0].name.value)
            if spec is not None:
                value = _plain_value(spec, source_value)
                if value is not _ORDINARY:
                    results[response_name] = value
                    continue
            field_path = Path(path, response_name, parent_type.name)
            result = self.execute_field(parent_type, source_value, field_nodes, field_path)
            if result is not Undefined:
                results[response_name] = result
        return results
