"""How graphql-core executes Keel's schema: synchronously, with a short path for plain fields.

A response of a hundred services with their owners, members and dependencies holds thousands
of fields (a slug, a role, a member's user), and graphql-core spends more on each one than on
reading it: a path, a resolve info, the argument values, two resolver calls and a completion
that tests the type several ways, each a frame deeper. Most of them are *plain*: graphene's
default resolver reading one attribute, without arguments. A plain scalar or enum is read and
serialised directly. A plain object, and each object of a list of non-null objects, has its
own fields executed directly once graphene-django's type check (``is_type_of``, which depends
only on the object's class) has accepted an object of that class. Anything unusual on the way
(a missing value, an exception, a value the type refuses, a class not yet checked) goes the
ordinary way instead, which reads the attribute again and reports any error exactly as
graphql-core would."""

from functools import partial

from graphene.types.resolver import attr_resolver, dict_or_attr_resolver, dict_resolver
from graphene_django import DjangoObjectType
from graphql import (
    ExecutionContext,
    GraphQLNonNull,
    GraphQLObjectType,
    Undefined,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
    located_error,
)
from graphql.pyutils import Path

_DEFAULT_RESOLVERS = (dict_or_attr_resolver, attr_resolver, dict_resolver)
_DJANGO_IS_TYPE_OF = DjangoObjectType.is_type_of.__func__
_ORDINARY = object()  # a plain field's value that must take graphql-core's own path

# GraphQLObjectType -> {field name: (attribute, default, serialize or None, object type or
# None, field type)}; the schema is built once per process, and its types never change.
_plain: dict = {}
# (GraphQLObjectType, Python class) pairs that graphene-django's is_type_of has accepted.
_accepted: set = set()


def _plain_fields(parent_type: GraphQLObjectType) -> dict:
    fields = _plain.get(parent_type)
    if fields is None:
        fields = _plain[parent_type] = {}
        for name, field in parent_type.fields.items():
            resolve, inner = field.resolve, get_nullable_type(field.type)
            if not (
                isinstance(resolve, partial)
                and resolve.func in _DEFAULT_RESOLVERS
                and len(resolve.args) == 2
                and not resolve.keywords
                and not field.args
            ):
                continue
            attname, default = resolve.args
            if is_leaf_type(inner):
                fields[name] = (attname, default, inner.serialize, None, field.type)
            elif isinstance(inner, GraphQLObjectType) and _checks_class_only(inner):
                fields[name] = (attname, default, None, inner, field.type)
    return fields


def _checks_class_only(object_type: GraphQLObjectType) -> bool:
    is_type_of = getattr(getattr(object_type, "graphene_type", None), "is_type_of", None)
    return getattr(is_type_of, "__func__", None) is _DJANGO_IS_TYPE_OF


def _read(spec, source):
    attname, default, serialize, object_type, field_type = spec
    try:
        if isinstance(source, dict):
            value = source.get(attname, default)
        else:
            value = getattr(source, attname, default)
        if value is None:
            return _ORDINARY if is_non_null_type(field_type) else None
        if object_type is not None:
            return value if (object_type, type(value)) in _accepted else _ORDINARY
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
            value = _ORDINARY if spec is None else _read(spec, source_value)
            if value is _ORDINARY:
                field_path = Path(path, response_name, parent_type.name)
                result = self.execute_field(parent_type, source_value, field_nodes, field_path)
                if result is not Undefined:
                    results[response_name] = result
            elif spec[3] is None or value is None:
                results[response_name] = value
            else:
                field_path = Path(path, response_name, parent_type.name)
                results[response_name] = self._object(spec, field_nodes, field_path, value)
        return results

    def _object(self, spec, field_nodes, path, value):
        """A plain object field's value, completed as ``execute_field`` would."""
        object_type, field_type = spec[3], spec[4]
        try:
            subfields = self.collect_subfields(object_type, field_nodes)
            return self.execute_fields(object_type, value, path, subfields)
        except Exception as raw_error:
            error = located_error(raw_error, field_nodes, path.as_list())
            self.handle_field_error(error, field_type)
            return None

    def complete_object_value(self, return_type, field_nodes, info, path, result):
        if (return_type, type(result)) in _accepted:
            subfields = self.collect_subfields(return_type, field_nodes)
            return self.execute_fields(return_type, result, path, subfields)
        completed = super().complete_object_value(return_type, field_nodes, info, path, result)
        if _checks_class_only(return_type):
            _accepted.add((return_type, type(result)))
        return completed

    def complete_list_value(self, return_type, field_nodes, info, path, result):
        item_type = return_type.of_type
        if not (
            isinstance(result, list)
            and type(item_type) is GraphQLNonNull
            and isinstance(item_type.of_type, GraphQLObjectType)
        ):
            return super().complete_list_value(return_type, field_nodes, info, path, result)
        completed = []
        for index, item in enumerate(result):
            item_path = path.add_key(index, None)
            try:
                if item is None or item is Undefined or isinstance(item, Exception):
                    value = self.complete_value(item_type, field_nodes, info, item_path, item)
                else:  # what complete_value does for it, a level and its checks fewer
                    value = self.complete_object_value(
                        item_type.of_type, field_nodes, info, item_path, item
                    )
            except Exception as raw_error:
                error = located_error(raw_error, field_nodes, item_path.as_list())
                self.handle_field_error(error, item_type)
                value = None
            completed.append(value)
        return completed
