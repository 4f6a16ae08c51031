"""GraphQL SDL: graphql-core's breaking and dangerous change detection, and what it leaves out.

graphql-core (the port of graphql-js's ``findBreakingChanges``) finds what breaks a client (a
removed type or field, a changed argument type, a required argument added) and what is
dangerous (an enum value, union member or optional argument added, an argument's default
changed): those are breaking and potentially breaking, with its change type as the rule
(``FIELD_REMOVED`` gives ``graphql.field-removed``). It says nothing of what is safe or
announced, which a consumer wants to see as well: new types, fields and directives, a type
changed safely (an output made non-null, an input made nullable) are non-breaking, and
``@deprecated`` newly on a field, argument, input field or enum value is a deprecation.

Locations name the place as a client writes it: ``Type``, ``Type.field``, ``Type.field(arg)``,
``Enum.VALUE``, ``@directive(arg)``; graphql-core's are read from its sentences.
"""

import re

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    find_breaking_changes,
    find_dangerous_changes,
)
from graphql.utilities.find_breaking_changes import (
    is_change_safe_for_input_object_field_or_field_arg,
    is_change_safe_for_object_or_interface_field,
)

from .changes import Change, Level

# Where each of graphql-core's change types names its place in its description.
_TYPE_FIELD_ARG = r"(?P<type>\w+)\.(?P<field>\w+) arg (?P<arg>\w+)"
_ARG_ADDED = r"arg (?P<arg>\w+) on (?P<type>\w+)\.(?P<field>\w+)"
_INPUT_FIELD_ADDED = r"field (?P<field>\w+) on input type (?P<type>\w+)"
_PLACES = {
    "TYPE_REMOVED": r"(?:Standard scalar )?(?P<type>\w+) was removed",
    "TYPE_CHANGED_KIND": r"(?P<type>\w+) changed from",
    "TYPE_REMOVED_FROM_UNION": r"\w+ was removed from union type (?P<type>\w+)",
    "TYPE_ADDED_TO_UNION": r"\w+ was added to union type (?P<type>\w+)",
    "VALUE_REMOVED_FROM_ENUM": r"(?P<field>\w+) was removed from enum type (?P<type>\w+)",
    "VALUE_ADDED_TO_ENUM": r"(?P<field>\w+) was added to enum type (?P<type>\w+)",
    "REQUIRED_INPUT_FIELD_ADDED": _INPUT_FIELD_ADDED,
    "OPTIONAL_INPUT_FIELD_ADDED": _INPUT_FIELD_ADDED,
    "IMPLEMENTED_INTERFACE_REMOVED": r"(?P<type>\w+) no longer implements",
    "IMPLEMENTED_INTERFACE_ADDED": r"added to interfaces implemented by (?P<type>\w+)",
    "FIELD_REMOVED": r"(?P<type>\w+)\.(?P<field>\w+) was removed",
    "FIELD_CHANGED_KIND": r"(?P<type>\w+)\.(?P<field>\w+) changed type",
    "REQUIRED_ARG_ADDED": _ARG_ADDED,
    "OPTIONAL_ARG_ADDED": _ARG_ADDED,
    "ARG_REMOVED": _TYPE_FIELD_ARG,
    "ARG_CHANGED_KIND": _TYPE_FIELD_ARG,
    "ARG_DEFAULT_VALUE_CHANGE": _TYPE_FIELD_ARG,
    "DIRECTIVE_REMOVED": r"(?P<directive>\w+) was removed",
    "DIRECTIVE_ARG_REMOVED": r"(?P<arg>\w+) was removed from (?P<directive>\w+)",
    "REQUIRED_DIRECTIVE_ARG_ADDED": r"arg (?P<arg>\w+) on directive (?P<directive>\w+)",
    "DIRECTIVE_REPEATABLE_REMOVED": r"removed from (?P<directive>\w+)",
    "DIRECTIVE_LOCATION_REMOVED": r"removed from (?P<directive>\w+)",
}
_PATTERNS = {name: re.compile(pattern) for name, pattern in _PLACES.items()}


def _place(type: str = "", field: str = "", arg: str = "", directive: str = "") -> str:  # noqa: A002
    where = f"@{directive}" if directive else type + (f".{field}" if field else "")
    return where + (f"({arg})" if arg else "")


def _location(kind: str, description: str) -> str:
    pattern = _PATTERNS.get(kind)
    found = pattern.search(description) if pattern else None
    if found is None:  # a change type this table does not know: its first word
        return description.split(" ", 1)[0].rstrip(".")
    return _place(**{key: value for key, value in found.groupdict().items() if value})


def _rule(name: str) -> str:
    return "graphql." + name.lower().replace("_", "-")


def _from_graphql_core(base: GraphQLSchema, revision: GraphQLSchema) -> list[Change]:
    found = []
    for level, detected in (
        (Level.BREAKING, find_breaking_changes(base, revision)),
        (Level.POTENTIALLY_BREAKING, find_dangerous_changes(base, revision)),
    ):
        found += [
            Change(
                level,
                _rule(change.type.name),
                _location(change.type.name, change.description),
                change.description,
            )
            for change in detected
        ]
    return found


def _named_types(schema: GraphQLSchema) -> dict:
    return {name: type_ for name, type_ in schema.type_map.items() if not name.startswith("__")}


class _Additions:
    """What graphql-core does not report: additions, safe type changes and deprecations."""

    def __init__(self):
        self.found: list[Change] = []

    def add(self, level: Level, rule: str, location: str, message: str) -> None:
        self.found.append(Change(level, f"graphql.{rule}", location, message))

    def deprecated(self, what: str, where: str, before, after) -> None:
        if before.deprecation_reason is None and after.deprecation_reason is not None:
            reason = after.deprecation_reason
            self.add(
                Level.DEPRECATION,
                f"{what}-deprecated",
                where,
                f"{where} was deprecated" + (f": {reason.rstrip('.')}." if reason else "."),
            )

    def run(self, base: GraphQLSchema, revision: GraphQLSchema) -> list[Change]:
        before, after = _named_types(base), _named_types(revision)
        for name, type_ in after.items():
            old = before.get(name)
            if old is None:
                self.add(Level.NON_BREAKING, "type-added", name, f"The type {name} was added.")
            elif isinstance(type_, (GraphQLObjectType, GraphQLInterfaceType)) and isinstance(
                old, (GraphQLObjectType, GraphQLInterfaceType)
            ):
                self.fields(name, old, type_)
            elif isinstance(type_, GraphQLInputObjectType) and isinstance(
                old, GraphQLInputObjectType
            ):
                self.input_fields(name, old, type_)
            elif isinstance(type_, GraphQLEnumType) and isinstance(old, GraphQLEnumType):
                for value_name, value in type_.values.items():
                    if value_name in old.values:
                        self.deprecated(
                            "enum-value", f"{name}.{value_name}", old.values[value_name], value
                        )
        old_directives = {directive.name for directive in base.directives}
        for directive in revision.directives:
            if directive.name not in old_directives:
                self.add(
                    Level.NON_BREAKING,
                    "directive-added",
                    f"@{directive.name}",
                    f"The directive @{directive.name} was added.",
                )
        return self.found

    def fields(self, name: str, before, after) -> None:
        for field_name, field in after.fields.items():
            where = f"{name}.{field_name}"
            old = before.fields.get(field_name)
            if old is None:
                self.add(Level.NON_BREAKING, "field-added", where, f"The field {where} was added.")
                continue
            self.deprecated("field", where, old, field)
            if str(old.type) != str(field.type) and is_change_safe_for_object_or_interface_field(
                old.type, field.type
            ):
                self.add(
                    Level.NON_BREAKING,
                    "field-type-changed-safely",
                    where,
                    f"{where} changed type from {old.type} to {field.type}, which every "
                    "client still reads.",
                )
            for arg_name, arg in field.args.items():
                old_arg = old.args.get(arg_name)
                if old_arg is None:
                    continue  # graphql-core reports added arguments
                arg_where = f"{where}({arg_name})"
                self.deprecated("arg", arg_where, old_arg, arg)
                self.input_type(arg_where, old_arg.type, arg.type)

    def input_fields(self, name: str, before, after) -> None:
        for field_name, field in after.fields.items():
            old = before.fields.get(field_name)
            if old is not None:
                where = f"{name}.{field_name}"
                self.deprecated("input-field", where, old, field)
                self.input_type(where, old.type, field.type)

    def input_type(self, where: str, before, after) -> None:
        if str(before) != str(after) and is_change_safe_for_input_object_field_or_field_arg(
            before, after
        ):
            self.add(
                Level.NON_BREAKING,
                "input-type-changed-safely",
                where,
                f"{where} changed type from {before} to {after}, which accepts everything "
                "it accepted.",
            )


def changes(base: GraphQLSchema, revision: GraphQLSchema) -> list[Change]:
    """The changes from ``base`` to ``revision``, two built schemas."""
    return _from_graphql_core(base, revision) + _Additions().run(base, revision)
