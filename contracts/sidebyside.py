"""Two documents as numbered lines, with the lines each change is about marked: what the
compare page shows side by side (base left, revision right).

A change's JSON pointer (OpenAPI, AsyncAPI) is followed through the YAML or JSON text's node
tree (composed, never constructed: no alias is expanded) to the lines of the key and its
value; a pointer that goes on through a ``$ref`` marks the deepest line it reaches. A change
without one (GraphQL, Protobuf) is found by its location: ``Type.field(argument)`` in the
SDL's syntax tree, ``package.Message.field`` by its names in the text. A removal is found in
the base only, an addition in the revision only, a change in both. Long documents show the
marked lines with a few lines around them, not every line.
"""

import re
from dataclasses import dataclass, field

import graphql
import yaml

from catalog.models import Api

FULL_LINES = 1500  # a longer document shows only what is around its marked lines
CONTEXT = 4  # lines shown around a marked one in a long document
_MARKED_PER_CHANGE = 200  # a removed block of more lines is marked by its first ones


@dataclass
class Line:
    number: int
    text: str
    levels: list[str] = field(default_factory=list)  # of the changes that mark it
    changes: list[int] = field(default_factory=list)  # their indexes in the comparison


@dataclass
class Side:
    lines: list  # Line, or None for a gap of lines not shown
    marked: int = 0


def _loader():
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _pointer_lines(root, pointer: str) -> range | None:
    """The lines (0-based) of what ``pointer`` names in the composed ``root``."""
    if root is None or not pointer.startswith("/"):
        return None
    node, found = root, None
    for raw in pointer.split("/")[1:]:
        segment = raw.replace("~1", "/").replace("~0", "~")
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == segment:
                    child = (key, value)
                    break
        elif isinstance(node, yaml.SequenceNode) and segment.isdigit():
            index = int(segment)
            if index < len(node.value):
                child = (node.value[index], node.value[index])
        if child is None:
            # the rest is behind a $ref or gone: the deepest line reached, only it
            return range(found.start, found.start + 1) if found else None
        key, node = child
        end = node.end_mark.line - (1 if node.end_mark.column == 0 else 0)
        found = range(key.start_mark.line, max(end, key.start_mark.line) + 1)
    return found


def _graphql_index(text: str) -> dict[str, range]:
    """``{"Type": lines, "Type.field": lines, "Type.field(arg)": lines, "Enum.VALUE": ...}``."""
    try:
        document = graphql.parse(text, max_tokens=200_000)
    except graphql.GraphQLError:
        return {}
    found = {}

    def span(node) -> range:
        return range(node.loc.start_token.line - 1, node.loc.end_token.line)

    for definition in document.definitions:
        name = getattr(getattr(definition, "name", None), "value", None)
        if not name:
            continue
        found.setdefault(name, span(definition))
        for member in list(getattr(definition, "fields", None) or []) + list(
            getattr(definition, "values", None) or []
        ):
            found.setdefault(f"{name}.{member.name.value}", span(member))
            for argument in getattr(member, "arguments", None) or []:
                found.setdefault(
                    f"{name}.{member.name.value}({argument.name.value})", span(argument)
                )
        for argument in getattr(definition, "arguments", None) or []:  # directives
            found.setdefault(f"{name}({argument.name.value})", span(argument))
    return found


def _name_lines(lines: list[str], location: str) -> range | None:
    """A Protobuf (or any) location found by its names: each name of ``a.b.C.d`` after the
    line where the one before it was found, the last one marked."""
    names = [n for n in re.split(r"[.\s()/]+", location) if n]
    at, found = 0, None
    for name in names:
        pattern = re.compile(rf"(?<![\w.]){re.escape(name)}(?![\w])")
        for number in range(at, len(lines)):
            if pattern.search(lines[number]):
                at, found = number, number
                break
    return range(found, found + 1) if found is not None else None


class _Locator:
    def __init__(self, api_type: str, text: str):
        self.type, self.lines = api_type, text.splitlines()
        self.tree = self.index = None
        if api_type in {Api.Type.OPENAPI, Api.Type.ASYNCAPI}:
            try:
                self.tree = yaml.compose(text, Loader=_loader())
            except yaml.YAMLError:
                self.tree = None
        elif api_type == Api.Type.GRAPHQL:
            self.index = _graphql_index(text)

    def find(self, change: dict) -> range | None:
        if change.get("pointer") and self.tree is not None:
            return _pointer_lines(self.tree, change["pointer"])
        if self.index is not None:
            location = change.get("location", "")
            return self.index.get(location) or self.index.get(location.split("(")[0])
        if self.type == Api.Type.GRPC:
            return _name_lines(self.lines, change.get("location", ""))
        return None


def _side(text: str, marks: dict[int, list[tuple[int, str]]]) -> Side:
    lines = text.splitlines()
    rows = [
        Line(n + 1, line, [lv for _, lv in marks.get(n, [])], [i for i, _ in marks.get(n, [])])
        for n, line in enumerate(lines)
    ]
    side = Side(rows, marked=len(marks))
    if len(rows) <= FULL_LINES:
        return side
    shown = {n for m in marks for n in range(m - CONTEXT, m + CONTEXT + 1)}
    side.lines, gap = [], False
    for n, row in enumerate(rows):
        if n in shown:
            side.lines.append(row)
            gap = False
        elif not gap:
            side.lines.append(None)
            gap = True
    return side


def _in(side: str, rule: str) -> bool:
    """Does a change of ``rule`` show in the base (``left``), the revision, or both?"""
    removed = any(word in rule for word in ("removed", "deleted"))
    added = "added" in rule and not removed
    return not (added if side == "left" else removed)


def side_by_side(api_type: str, base: str, revision: str, changes: list[dict]) -> dict:
    """The two sides, and for each change (by index) the first marked line on each side."""
    located = {"left": _Locator(api_type, base), "right": _Locator(api_type, revision)}
    marks: dict[str, dict[int, list]] = {"left": {}, "right": {}}
    anchors = []
    for index, change in enumerate(changes):
        anchor = {}
        for side, locator in located.items():
            lines = locator.find(change) if _in(side, change.get("rule", "")) else None
            if not lines:
                continue
            anchor[side] = lines.start + 1
            for number in list(lines)[:_MARKED_PER_CHANGE]:
                marks[side].setdefault(number, []).append((index, change["level"]))
        anchors.append(anchor)
    return {
        "left": _side(base, marks["left"]),
        "right": _side(revision, marks["right"]),
        "anchors": anchors,
    }
