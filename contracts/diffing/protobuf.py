"""Protobuf: the wire-compatibility rules of Buf's ``WIRE`` and ``WIRE_JSON`` categories, on
what ``proto-schema-parser`` reads.

A field is its number on the wire, so fields and enum values are matched by number: one gone
whose number is not reserved breaks readers (the number may come back with another meaning),
one found under another number was renumbered, and a reserved number or name used again
breaks old data. A type change is breaking unless the two types share a wire encoding
(int32/uint32/int64/uint64/bool and enums, sint32/sint64, fixed32/sfixed32, fixed64/sfixed64,
string/bytes and messages); then it is potentially breaking, since values may be truncated or
read differently and the JSON form changes. A renamed field or enum value keeps the binary
encoding but breaks JSON readers: potentially breaking, as in ``WIRE_JSON``. Removed
messages, enums, services and methods, a method's changed request, response or streaming,
and a changed package break the generated clients and the gRPC paths.

Names are compared relative to the file's package, so a changed package is one change rather
than everything removed and added; locations are fully qualified (``pets.v1.Pet.name``). Type
references are resolved inside the file only: imports are not read, so an imported type is
compared by the name it is written with. Extensions (``extend``) are not compared.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property

from proto_schema_parser import ast

from .changes import Change, Level

_SCALARS = {
    "double",
    "float",
    "int32",
    "int64",
    "uint32",
    "uint64",
    "sint32",
    "sint64",
    "fixed32",
    "fixed64",
    "sfixed32",
    "sfixed64",
    "bool",
    "string",
    "bytes",
}
# Types that share a wire encoding (protobuf's "Updating a message type"); enums are varints.
_WIRE_GROUPS = (
    {"int32", "uint32", "int64", "uint64", "bool", "enum"},
    {"sint32", "sint64"},
    {"fixed32", "sfixed32"},
    {"fixed64", "sfixed64"},
    {"string", "bytes", "message"},
)
_MAX_FIELD = 536_870_911
_MAX_ENUM = 2_147_483_647


@dataclass
class _Field:
    name: str
    number: int
    type: str  # a scalar, a name relative to the package, or an imported name as written
    kind: str  # scalar, message, enum, map, group or imported
    label: str  # repeated, optional, required, or "" (implicit presence)
    oneof: str
    options: dict


class _Reserved:
    """Reserved numbers and names. Numbers are looked up in the merged ranges by bisection:
    a file may reserve thousands of numbers one by one."""

    def __init__(self):
        self.ranges: list[tuple[int, int]] = []  # as declared, inclusive
        self.names: set[str] = set()

    @cached_property
    def _merged(self) -> tuple[list, list]:  # read once the file is read
        merged: list[list[int]] = []
        for low, high in sorted(self.ranges):
            if merged and low <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], high)
            else:
                merged.append([low, high])
        return [low for low, _ in merged], [high for _, high in merged]

    def covers(self, low: int, high: int) -> bool:
        """Whether every number from ``low`` to ``high`` is reserved here."""
        starts, ends = self._merged
        index = bisect_right(starts, low) - 1
        return index >= 0 and high <= ends[index]

    def has(self, number: int) -> bool:
        return self.covers(number, number)


@dataclass
class _Message:
    parent: str
    options: dict
    fields: dict = field(default_factory=dict)  # number -> _Field
    reserved: _Reserved = field(default_factory=_Reserved)


@dataclass
class _Enum:
    parent: str
    options: dict
    values: dict = field(default_factory=dict)  # number -> {name: options}
    reserved: _Reserved = field(default_factory=_Reserved)


@dataclass
class _Method:
    request: tuple  # (type, kind) as _Reader._resolve gives them
    response: tuple
    client_streaming: bool
    server_streaming: bool
    options: dict


@dataclass
class _File:
    package: str
    syntax: str
    options: dict
    messages: dict = field(default_factory=dict)  # relative name -> _Message
    enums: dict = field(default_factory=dict)
    services: dict = field(default_factory=dict)  # name -> (options, {method: _Method})


def _options(elements) -> dict:
    return {element.name: element.value for element in elements if isinstance(element, ast.Option)}


def _value(value) -> str:
    return value.name if isinstance(value, ast.Identifier) else str(value)


def _ranges(texts, maximum: int) -> list:
    found = []
    for text in texts:
        low, _, high = (part.strip() for part in str(text).partition(" to "))
        try:
            start = int(low, 0)
            end = maximum if high == "max" else int(high, 0) if high else start
        except ValueError:
            continue
        found.append((start, end))
    return found


def _join(*parts: str) -> str:
    return ".".join(part for part in parts if part)


class _Reader:
    """Turns a parsed file into messages, enums and services keyed by name, with every type
    reference resolved the way protoc resolves it inside one file."""

    def __init__(self, parsed: ast.File):
        elements = parsed.file_elements
        package = next((e.name for e in elements if isinstance(e, ast.Package)), "")
        self.file = _File(package, parsed.edition or parsed.syntax or "proto2", _options(elements))
        self.kinds: dict[str, str] = {}
        self._declare(elements, "")
        self._read(elements, "")

    def _declare(self, elements, scope: str) -> None:
        for element in elements:
            if isinstance(element, (ast.Message, ast.Group)):
                name = _join(scope, element.name)
                self.kinds[name] = "message"
                self._declare(element.elements, name)
            elif isinstance(element, ast.Enum):
                self.kinds[_join(scope, element.name)] = "enum"
            elif isinstance(element, ast.OneOf):
                self._declare(element.elements, scope)

    def _resolve(self, written: str, scope: str) -> tuple[str, str]:
        """(type, kind) of a type reference written inside ``scope``."""
        if written in _SCALARS:
            return written, "scalar"
        package = self.file.package
        if written.startswith("."):
            name = written[1:]
            if package and name.startswith(package + "."):
                local = name[len(package) + 1 :]
                if local in self.kinds:
                    return local, self.kinds[local]
            if not package and name in self.kinds:
                return name, self.kinds[name]
            return name, "imported"
        parts = scope.split(".") if scope else []
        for depth in range(len(parts), -1, -1):
            candidate = _join(*parts[:depth], written)
            if candidate in self.kinds:
                return candidate, self.kinds[candidate]
        # Then from the package outwards: in package a.b, "b.M" may be a.b.M.
        outer = package.split(".") if package else []
        for depth in range(len(outer), -1, -1):
            full = _join(*outer[:depth], written)
            if full.startswith(package + "."):
                local = full[len(package) + 1 :]
                if local in self.kinds:
                    return local, self.kinds[local]
        return written, "imported"

    def _field(self, element, scope: str, oneof: str) -> _Field:
        options = {option.name: option.value for option in getattr(element, "options", ())}
        if isinstance(element, ast.MapField):
            key, _ = self._resolve(element.key_type, scope)
            value, value_kind = self._resolve(element.value_type, scope)
            return _Field(
                element.name,
                element.number,
                f"map<{key}, {value}>",
                "map",
                "repeated",
                oneof,
                {**options, "map": (key, value, value_kind)},
            )
        cardinality = element.cardinality.value.lower() if element.cardinality else ""
        if isinstance(element, ast.Group):
            type_name, kind = _join(scope, element.name), "group"
        else:
            type_name, kind = self._resolve(element.type, scope)
        return _Field(element.name, element.number, type_name, kind, cardinality, oneof, options)

    def _read(self, elements, scope: str) -> None:
        for element in elements:
            if isinstance(element, (ast.Message, ast.Group)):
                self._message(element, _join(scope, element.name), scope)
            elif isinstance(element, ast.Enum):
                self._enum(element, _join(scope, element.name), scope)
            elif isinstance(element, ast.Service):
                methods = {
                    method.name: _Method(
                        self._resolve(method.input_type.type, ""),
                        self._resolve(method.output_type.type, ""),
                        method.input_type.stream,
                        method.output_type.stream,
                        _options(method.elements),
                    )
                    for method in element.elements
                    if isinstance(method, ast.Method)
                }
                self.file.services[element.name] = (_options(element.elements), methods)

    def _message(self, element, name: str, parent: str) -> None:
        message = _Message(parent, _options(element.elements))
        self.file.messages[name] = message
        for member in element.elements:
            if isinstance(member, (ast.Field, ast.MapField, ast.Group)):
                message.fields[member.number] = self._field(member, name, "")
            elif isinstance(member, ast.OneOf):
                for inner in member.elements:
                    if isinstance(inner, (ast.Field, ast.Group)):
                        message.fields[inner.number] = self._field(inner, name, member.name)
            elif isinstance(member, ast.Reserved):
                message.reserved.ranges += _ranges(member.ranges, _MAX_FIELD)
                message.reserved.names.update(member.names)
        self._read(
            [e for e in element.elements if isinstance(e, (ast.Message, ast.Enum, ast.Group))],
            name,
        )

    def _enum(self, element: ast.Enum, name: str, parent: str) -> None:
        enum = _Enum(parent, _options(element.elements))
        self.file.enums[name] = enum
        for member in element.elements:
            if isinstance(member, ast.EnumValue):
                options = {option.name: option.value for option in member.options}
                enum.values.setdefault(member.number, {})[member.name] = options
            elif isinstance(member, ast.EnumReserved):
                enum.reserved.ranges += _ranges(member.ranges, _MAX_ENUM)
                enum.reserved.names.update(member.names)


def _deprecated(options: dict) -> bool:
    return options.get("deprecated") is True


def _json_name(item: _Field) -> str:
    if "json_name" in item.options:
        return str(item.options["json_name"])
    head, *rest = item.name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _group(type_name: str, kind: str) -> set | None:
    key = type_name if kind == "scalar" else kind
    return next((group for group in _WIRE_GROUPS if key in group), None)


def _type_change(before: _Field, after: _Field) -> tuple[Level, str] | None:
    """The level of a field's type change and why, or None if the type is the same."""
    if before.type == after.type and before.kind == after.kind:
        return None
    if before.kind == "map" and after.kind == "map":
        key_b, value_b, kind_b = before.options["map"]
        key_a, value_a, kind_a = after.options["map"]
        keys = _scalar_change(key_b, "scalar", key_a, "scalar")
        values = _scalar_change(value_b, kind_b, value_a, kind_a)
        worst = [found for found in (keys, values) if found]
        if any(level == Level.BREAKING for level, _ in worst):
            return Level.BREAKING, "the map's key or value type is not wire-compatible"
        return Level.POTENTIALLY_BREAKING, worst[0][1] if worst else ""
    if "map" in (before.kind, after.kind) or "group" in (before.kind, after.kind):
        return Level.BREAKING, "the two types are encoded differently on the wire"
    return _scalar_change(before.type, before.kind, after.type, after.kind)


def _scalar_change(before: str, before_kind: str, after: str, after_kind: str):
    if before == after:
        return None
    if before_kind == after_kind and before_kind in ("message", "enum", "imported"):
        return Level.BREAKING, "a different message or enum type is read differently"
    group = _group(before, before_kind)
    if group is not None and group is _group(after, after_kind):
        return (
            Level.POTENTIALLY_BREAKING,
            "the types share a wire encoding, but values may be truncated or read "
            "differently, and the JSON encoding changes",
        )
    return Level.BREAKING, "the two types are not wire-compatible"


class _Diff:
    def __init__(self, base: _File, revision: _File):
        self.base, self.revision = base, revision
        self.found: list[Change] = []

    def add(self, level: Level, rule: str, location: str, message: str) -> None:
        self.found.append(Change(level, f"protobuf.{rule}", location, message))

    def name(self, relative: str, side: _File | None = None) -> str:
        """The fully qualified name of a relative name (the base's package unless told)."""
        return _join((side or self.base).package, relative)

    def shown(self, type_name: str, kind: str, side: _File) -> str:
        return self.name(type_name, side) if kind in ("message", "enum", "group") else type_name

    def run(self) -> list[Change]:
        base, revision = self.base, self.revision
        if base.package != revision.package:
            self.add(
                Level.BREAKING,
                "package-changed",
                f"package {base.package or '(none)'}",
                f"The package changed from {base.package or '(none)'} to "
                f"{revision.package or '(none)'}: every message, enum and service has a new "
                "name, and every gRPC method a new path.",
            )
        if base.syntax != revision.syntax:
            self.add(
                Level.POTENTIALLY_BREAKING,
                "syntax-changed",
                f"package {revision.package or '(none)'}",
                f"The syntax changed from {base.syntax} to {revision.syntax}, which changes "
                "field presence and default values.",
            )
        if not _deprecated(base.options) and _deprecated(revision.options):
            self.add(
                Level.DEPRECATION,
                "file-deprecated",
                f"package {revision.package or '(none)'}",
                "The file was deprecated.",
            )
        self.declarations("message", base.messages, revision.messages, self.message)
        self.declarations("enum", base.enums, revision.enums, self.enum)
        self.services()
        return self.found

    def declarations(self, kind: str, before: dict, after: dict, compare) -> None:
        """Messages or enums removed, added, deprecated and compared; one inside a message
        that is itself removed or added is not named again."""
        for name, item in before.items():
            if name in after:
                if not _deprecated(item.options) and _deprecated(after[name].options):
                    self.add(
                        Level.DEPRECATION,
                        f"{kind}-deprecated",
                        self.name(name),
                        f"The {kind} {self.name(name)} was deprecated.",
                    )
                compare(name, item, after[name])
            elif not item.parent or item.parent in self.revision.messages:
                self.add(
                    Level.BREAKING,
                    f"{kind}-removed",
                    self.name(name),
                    f"The {kind} {self.name(name)} was removed.",
                )
        for name, item in after.items():
            if name not in before and (not item.parent or item.parent in self.base.messages):
                self.add(
                    Level.NON_BREAKING,
                    f"{kind}-added",
                    self.name(name, self.revision),
                    f"The {kind} {self.name(name, self.revision)} was added.",
                )

    def message(self, name: str, before: _Message, after: _Message) -> None:
        by_name = {item.name: item for item in after.fields.values()}
        moved = set()
        for number, item in before.fields.items():
            where = self.name(f"{name}.{item.name}")
            if number in after.fields:
                self.field(where, item, after.fields[number], before, after)
                continue
            elsewhere = by_name.get(item.name)
            if elsewhere is not None and elsewhere.number not in before.fields:
                moved.add(elsewhere.number)
                self.add(
                    Level.BREAKING,
                    "field-renumbered",
                    where,
                    f"The field {where} was renumbered from {number} to {elsewhere.number}: "
                    "data written with one number is not read with the other.",
                )
            elif item.label == "required":
                self.add(
                    Level.BREAKING,
                    "required-field-removed",
                    where,
                    f"The required field {where} ({number}) was removed: readers that still "
                    "require it refuse every new message.",
                )
            elif after.reserved.has(number):
                note = (
                    ""
                    if item.name in after.reserved.names
                    else f"; reserve the name {item.name!r} too, for JSON clients"
                )
                self.add(
                    Level.NON_BREAKING,
                    "field-removed-reserved",
                    where,
                    f"The field {where} ({number}) was removed and its number reserved{note}.",
                )
            else:
                self.add(
                    Level.BREAKING,
                    "field-removed",
                    where,
                    f"The field {where} ({number}) was removed without reserving its number.",
                )
        for number, item in after.fields.items():
            if number in before.fields or number in moved:
                continue
            where = self.name(f"{name}.{item.name}", self.revision)
            if not self.reused(where, number, item.name, before.reserved, "field"):
                required = item.label == "required"
                self.add(
                    Level.BREAKING if required else Level.NON_BREAKING,
                    "required-field-added" if required else "field-added",
                    where,
                    f"The {'required ' if required else ''}field {where} ({number}) was added.",
                )
        used = [(number, item.name) for number, item in after.fields.items()]
        self.unreserved(self.name(name), before.reserved, after.reserved, used)

    def reused(self, where: str, number: int, name: str, reserved: _Reserved, what: str) -> bool:
        if reserved.has(number):
            self.add(
                Level.BREAKING,
                "reserved-number-reused",
                where,
                f"The {what} {where} uses the number {number}, which was reserved.",
            )
            return True
        if name in reserved.names:
            self.add(
                Level.BREAKING,
                "reserved-name-reused",
                where,
                f"The {what} {where} uses the name {name!r}, which was reserved.",
            )
            return True
        return False

    def unreserved(self, where: str, before: _Reserved, after: _Reserved, used) -> None:
        """Numbers and names no longer reserved; those used again are named as reused."""
        numbers = sorted(number for number, _ in used)

        def reused(low: int, high: int) -> bool:
            index = bisect_left(numbers, low)
            return index < len(numbers) and numbers[index] <= high

        freed = [
            (low, high)
            for low, high in before.ranges
            if not after.covers(low, high) and not reused(low, high)
        ]
        names = sorted(before.names - after.names - {name for _, name in used})
        if freed or names:
            shown = [str(low) if low == high else f"{low} to {high}" for low, high in freed[:20]]
            shown += [repr(name) for name in names[:20]]
            more = len(freed) + len(names) - len(shown)
            self.add(
                Level.POTENTIALLY_BREAKING,
                "reserved-removed",
                where,
                f"{where} no longer reserves {', '.join(shown)}"
                + (f" and {more} more" if more > 0 else "")
                + ", which may then be reused with another meaning.",
            )

    def field(self, where: str, before: _Field, after: _Field, parent_b, parent_a) -> None:
        if before.name != after.name:
            self.add(
                Level.POTENTIALLY_BREAKING,
                "field-renamed",
                where,
                f"The field {where} ({before.number}) was renamed to {after.name}: the binary "
                "encoding is unchanged, but JSON and text-format clients break.",
            )
        elif _json_name(before) != _json_name(after):
            self.add(
                Level.POTENTIALLY_BREAKING,
                "field-json-name-changed",
                where,
                f"The JSON name of {where} changed from {_json_name(before)} to "
                f"{_json_name(after)}.",
            )
        changed = _type_change(before, after)
        if changed:
            level, why = changed
            self.add(
                level,
                "field-type-changed",
                where,
                f"The type of {where} changed from "
                f"{self.shown(before.type, before.kind, self.base)} to "
                f"{self.shown(after.type, after.kind, self.revision)}: {why}.",
            )
        self.label(where, before, after)
        self.oneof(where, before, after, parent_b, parent_a)
        if before.options.get("default") != after.options.get("default"):
            self.add(
                Level.POTENTIALLY_BREAKING,
                "field-default-changed",
                where,
                f"The default of {where} changed from {before.options.get('default')} to "
                f"{after.options.get('default')}.",
            )
        if not _deprecated(before.options) and _deprecated(after.options):
            self.add(
                Level.DEPRECATION, "field-deprecated", where, f"The field {where} was deprecated."
            )

    def label(self, where: str, before: _Field, after: _Field) -> None:
        if before.label == after.label:
            return
        shown = {"": "implicit presence"}
        text = (
            f"The field {where} changed from {shown.get(before.label, before.label)} to "
            f"{shown.get(after.label, after.label)}"
        )
        if {before.label, after.label} <= {"", "optional"}:
            self.add(
                Level.POTENTIALLY_BREAKING,
                "field-presence-changed",
                where,
                f"{text}: wire-compatible, but whether an unset value is told from a default "
                "changes.",
            )
        else:
            self.add(Level.BREAKING, "field-label-changed", where, f"{text}.")

    def oneof(self, where: str, before: _Field, after: _Field, parent_b, parent_a) -> None:
        if before.oneof == after.oneof:
            return
        if not before.oneof:
            # Into a oneof whose other members are new: no two old fields exclude each other.
            others = [
                number
                for number, item in parent_a.fields.items()
                if item.oneof == after.oneof and number != after.number
            ]
            alone = not any(number in parent_b.fields for number in others)
            self.add(
                Level.POTENTIALLY_BREAKING if alone else Level.BREAKING,
                "field-oneof-changed",
                where,
                f"The field {where} moved into the oneof {after.oneof}.",
            )
            return
        moved = (
            f"from the oneof {before.oneof} to the oneof {after.oneof}"
            if after.oneof
            else f"out of the oneof {before.oneof}"
        )
        self.add(Level.BREAKING, "field-oneof-changed", where, f"The field {where} moved {moved}.")

    def enum(self, name: str, before: _Enum, after: _Enum) -> None:
        by_name = {value: number for number, names in after.values.items() for value in names}
        moved = set()
        for number, names in before.values.items():
            value = next(iter(names))
            where = self.name(f"{name}.{value}")
            if number in after.values:
                self.enum_value(name, number, names, after.values[number])
                continue
            elsewhere = by_name.get(value)
            if elsewhere is not None and elsewhere not in before.values:
                moved.add(elsewhere)
                self.add(
                    Level.BREAKING,
                    "enum-value-renumbered",
                    where,
                    f"The enum value {where} was renumbered from {number} to {elsewhere}.",
                )
            elif after.reserved.has(number):
                self.add(
                    Level.NON_BREAKING,
                    "enum-value-removed-reserved",
                    where,
                    f"The enum value {where} ({number}) was removed and its number reserved.",
                )
            else:
                self.add(
                    Level.BREAKING,
                    "enum-value-removed",
                    where,
                    f"The enum value {where} ({number}) was removed without reserving its number.",
                )
        for number, names in after.values.items():
            if number in before.values or number in moved:
                continue
            value = next(iter(names))
            where = self.name(f"{name}.{value}", self.revision)
            if not self.reused(where, number, value, before.reserved, "enum value"):
                self.add(
                    Level.NON_BREAKING,
                    "enum-value-added",
                    where,
                    f"The enum value {where} ({number}) was added.",
                )
        used = [(number, value) for number, names in after.values.items() for value in names]
        self.unreserved(self.name(name), before.reserved, after.reserved, used)

    def enum_value(self, enum: str, number: int, before: dict, after: dict) -> None:
        """One number's names (more than one with ``allow_alias``) before and after."""
        for value, options in before.items():
            where = self.name(f"{enum}.{value}")
            if value not in after:
                self.add(
                    Level.POTENTIALLY_BREAKING,
                    "enum-value-renamed",
                    where,
                    f"The enum value {where} ({number}) was renamed to {', '.join(after)}: the "
                    "binary encoding is unchanged, but JSON clients break.",
                )
            elif not _deprecated(options) and _deprecated(after[value]):
                self.add(
                    Level.DEPRECATION,
                    "enum-value-deprecated",
                    where,
                    f"The enum value {where} was deprecated.",
                )

    def services(self) -> None:
        before, after = self.base.services, self.revision.services
        for name, (options, methods) in before.items():
            where = self.name(name)
            if name not in after:
                self.add(
                    Level.BREAKING,
                    "service-removed",
                    where,
                    f"The service {where} was removed, and with it {len(methods)} "
                    f"method{'' if len(methods) == 1 else 's'}.",
                )
                continue
            now_options, now_methods = after[name]
            if not _deprecated(options) and _deprecated(now_options):
                self.add(
                    Level.DEPRECATION,
                    "service-deprecated",
                    where,
                    f"The service {where} was deprecated.",
                )
            for method, rpc in methods.items():
                self.method(f"{where}.{method}", rpc, now_methods.get(method))
            for method in now_methods.keys() - methods.keys():
                shown = f"{self.name(name, self.revision)}.{method}"
                self.add(Level.NON_BREAKING, "rpc-added", shown, f"The method {shown} was added.")
        for name in after.keys() - before.keys():
            shown = self.name(name, self.revision)
            self.add(Level.NON_BREAKING, "service-added", shown, f"The service {shown} was added.")

    def method(self, where: str, before: _Method, after: _Method | None) -> None:
        if after is None:
            self.add(Level.BREAKING, "rpc-removed", where, f"The method {where} was removed.")
            return
        for what, old, new in (
            ("request", before.request, after.request),
            ("response", before.response, after.response),
        ):
            if old[0] != new[0]:
                self.add(
                    Level.BREAKING,
                    f"rpc-{what}-type-changed",
                    where,
                    f"The {what} type of {where} changed from {self.shown(*old, self.base)} "
                    f"to {self.shown(*new, self.revision)}.",
                )
        for what, old, new in (
            ("client", before.client_streaming, after.client_streaming),
            ("server", before.server_streaming, after.server_streaming),
        ):
            if old != new:
                self.add(
                    Level.BREAKING,
                    f"rpc-{what}-streaming-changed",
                    where,
                    f"{where} {'became' if new else 'is no longer'} {what}-streaming.",
                )
        old = _value(before.options.get("idempotency_level", "IDEMPOTENCY_UNKNOWN"))
        new = _value(after.options.get("idempotency_level", "IDEMPOTENCY_UNKNOWN"))
        if old != new:
            self.add(
                Level.POTENTIALLY_BREAKING,
                "rpc-idempotency-changed",
                where,
                f"The idempotency level of {where} changed from {old} to {new}: clients may "
                "retry it, or call it with GET, differently.",
            )
        if not _deprecated(before.options) and _deprecated(after.options):
            self.add(
                Level.DEPRECATION, "rpc-deprecated", where, f"The method {where} was deprecated."
            )


def changes(base: ast.File, revision: ast.File) -> list[Change]:
    """The changes from ``base`` to ``revision``, two parsed ``.proto`` files."""
    return _Diff(_Reader(base).file, _Reader(revision).file).run()
