"""Multi-document YAML (and JSON) read into plain data, bounded in size, documents, nesting and
alias expansion, with the document number and line of everything it refuses.

Backstage reads descriptors with the ``yaml`` package as YAML 1.2 (core schema), so this does
too: ``yes``/``on`` stay text, ``010`` is ten, keys are the text as written (``on:`` stays
"on"), ``<<`` is a plain key, dates stay text, duplicate keys are refused, and a tag it does not
know keeps the value as written. Empty documents (``---`` alone) are skipped, like Backstage.

Speed and safety: libyaml's C parser composes the nodes (the bulk of the time); the data is
built from them here, two to three times faster than PyYAML's constructor, counting as it
goes: every use of an alias counts the nodes it stands for, so a "billion
laughs" document is refused after ``max_nodes`` nodes instead of expanding into a structure
that later code (JSON, validation) would walk for ever. libyaml's composer recurses in C and
kills the process some ten thousand levels deep, so a document whose nesting *could* be deep
(long lines or many brackets: an upper bound counted in one pass) has its depth measured from
libyaml's events first, and is refused there when too deep.

Documents are split at ``---`` lines (a marker at column 0 always starts a document in YAML),
so a syntax error costs its own document only: reading resumes at the next one.
"""

import bisect
import json
import math
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .problems import Problem

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_DOCUMENTS = 200_000
DEFAULT_MAX_DEPTH = 64
DEFAULT_MAX_NODES = 250_000

# libyaml's composer is safe to some ten thousand levels. A text that might nest past about 2,000
# has its nesting measured first: the bound is twice the longest line (block nesting needs
# indentation or an indicator per level, two levels per column at most) plus every bracket.
_SAFE_LINE = 500
_SAFE_BRACKETS = 1000
_SAFE_DEPTH = 2 * _SAFE_LINE + _SAFE_BRACKETS
_DOCUMENT_START = re.compile(r"^---(?=[ \t\r\n]|$)", re.MULTILINE)
_CONTENT = re.compile(r"^(?!\.\.\.(?:[ \t\r\n]|$))[ \t]*[^ \t\r\n#%]", re.MULTILINE)
_BLANK = re.compile(r"[ \t\r\n]*")

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"

# YAML 1.2 core schema, as Backstage's parser reads plain scalars.
_WORDS = {
    **dict.fromkeys(("true", "True", "TRUE", "false", "False", "FALSE"), _BOOL),
    **dict.fromkeys(("null", "Null", "NULL", "~", ""), _NULL),
}
_NUMBER_START = frozenset("-+.0123456789")
_CORE_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_CORE_FLOAT = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)


@dataclass(frozen=True, slots=True)
class Document:
    """One entity-shaped document of a file: its 1-based number in the stream, the 1-based
    line it starts on, and the mapping it holds. ``unresolved`` names the values a placeholder
    could not fill (``substitution``), which validation then does not ask for."""

    source: str
    number: int
    line: int | None
    data: dict
    unresolved: frozenset = frozenset()


class _CoreResolver:
    """Tags plain scalars by the YAML 1.2 core schema (PyYAML's own resolver is YAML 1.1)."""

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            if implicit[0]:
                tag = _WORDS.get(value)
                if tag is not None:
                    return tag
                if value[0] in _NUMBER_START:
                    if _CORE_INT.fullmatch(value):
                        return _INT
                    if _CORE_FLOAT.fullmatch(value):
                        return _FLOAT
            return _STR
        return _SEQ if kind is SequenceNode else _MAP


class _FastLoader(_CoreResolver, yaml.CSafeLoader):
    pass


class _Refused(Exception):
    def __init__(self, message: str, node=None):
        super().__init__(message)
        self.node = node


def _to_int(text: str) -> int:
    body = text.lstrip("+-")
    sign = -1 if text.startswith("-") else 1
    if body[:2] in ("0x", "0X"):
        return sign * int(body[2:], 16)
    if body[:2] in ("0o", "0O"):
        return sign * int(body[2:], 8)
    return int(text, 10)


def _to_float(text: str) -> float:
    value = float(text.lower().replace(".inf", "inf").replace(".nan", "nan"))
    if not math.isfinite(value):
        raise ValueError("infinity and not-a-number have no JSON equivalent")
    return value


def _to_bool(text: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise ValueError(f"{text!r} is not true or false")
    return text.lower() == "true"


def _to_null(text: str) -> None:
    return None


_CONVERT = {_INT: _to_int, _FLOAT: _to_float, _BOOL: _to_bool, _NULL: _to_null}
_BUSY = object()


class _Builder:
    """Builds plain data from composed nodes, counting nodes (an alias counts every node it
    stands for) and nesting as it goes."""

    __slots__ = ("max_depth", "max_nodes", "expansion_left", "count", "deepest", "seen")

    def __init__(self, max_depth: int, max_nodes: int):
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        # What aliases may add over what is written, over the whole stream: one document that
        # expands to just under the limit, many times over, is as costly as one that passes it.
        self.expansion_left = max_nodes

    def document(self, node) -> Any:
        self.count = 0
        self.deepest = 0
        self.seen = {}
        try:
            return self.build(node, 1)
        finally:
            self.seen = None

    def build(self, node, depth: int) -> Any:
        cls = node.__class__
        if cls is ScalarNode:
            self.count += 1
            tag = node.tag
            if tag is _STR:
                return node.value
            convert = _CONVERT.get(tag)
            if convert is None:  # !!str, or a tag of someone else's: the text as written
                return node.value
            try:
                return convert(node.value)
            except ValueError as error:
                shown = node.value if len(node.value) <= 40 else node.value[:40] + "..."
                raise _Refused(
                    f"{shown!r} is not a valid {tag.rsplit(':', 1)[-1]}: {error}", node
                ) from None
        key = id(node)
        known = self.seen.get(key)
        if known is not None:
            value, size, height = known
            if value is _BUSY:
                raise _Refused("an alias refers to a collection that contains it", node)
            self.count += size
            self.expansion_left -= size
            if self.count > self.max_nodes or self.expansion_left < 0:
                raise _Refused(
                    f"aliases expand this document to more than {self.max_nodes} values", node
                )
            if depth + height > self.max_depth:
                raise _Refused(f"nested more than {self.max_depth} levels deep", node)
            return value
        if depth > self.max_depth:
            raise _Refused(f"nested more than {self.max_depth} levels deep", node)
        self.seen[key] = (_BUSY, 0, 0)
        start = self.count
        outer_deepest = self.deepest
        self.deepest = depth
        self.count += 1
        inner = depth + 1
        if cls is SequenceNode:
            value = [self.build(item, inner) for item in node.value]
        else:
            value = {}
            for key_node, value_node in node.value:
                if key_node.__class__ is not ScalarNode:
                    raise _Refused("a mapping key must be text, not a list or a mapping", key_node)
                name = key_node.value
                if name in value:
                    raise _Refused(f'the key "{name}" appears twice in one mapping', key_node)
                self.count += 1
                value[name] = self.build(value_node, inner)
        if self.count > self.max_nodes:
            raise _Refused(f"the document holds more than {self.max_nodes} values", node)
        height = self.deepest - depth
        self.deepest = max(outer_deepest, self.deepest)
        self.seen[key] = (value, self.count - start, height)
        return value


def _describe(value) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    return "text"


def _might_nest_deeply(text: str) -> bool:
    if text.count("[") + text.count("{") > _SAFE_BRACKETS:
        return True
    return max(map(len, text.split("\n"))) >= _SAFE_LINE  # only \n: other breaks make lines longer


class _Reading:
    """One call of ``load_documents``: the stream split at ``---`` lines, composed in runs."""

    def __init__(self, text, source, max_documents, max_depth, max_nodes, *, mappings_only=True):
        self.mappings_only = mappings_only
        self.text = text
        self.source = source
        self.builder = _Builder(max_depth, max_nodes)
        self.documents: list[Document] = []
        self.problems: list[Problem] = []
        starts = [match.start() for match in _DOCUMENT_START.finditer(text)]
        if not starts or starts[0] != 0:
            # Before the first marker: an implicit document, or only comments and directives.
            if not starts or _CONTENT.search(text, 0, starts[0]):
                starts.insert(0, 0)
            else:
                starts[0] = 0
        if len(starts) > max_documents:
            self.problem(
                max_documents + 1,
                None,
                f"the file has more than {max_documents} documents; the rest is not read",
            )
            text = self.text = text[: starts[max_documents]]
            del starts[max_documents:]
        self.starts = starts
        self.ends = starts[1:] + [len(text)]
        self.lines = []  # 0-based line of each document's start
        line = previous = 0
        for start in starts:
            line += text.count("\n", previous, start)
            previous = start
            self.lines.append(line)

    def problem(self, number, line, message):
        self.problems.append(Problem(self.source, number, line, None, message))

    def run(self):
        count = len(self.starts)
        if not _might_nest_deeply(self.text):
            self.compose(0, count)
            return
        run_start = 0
        for index in range(count):
            chunk = self.text[self.starts[index] : self.ends[index]]
            if _might_nest_deeply(chunk) and self.too_deep(chunk, index):
                self.compose(run_start, index)
                run_start = index + 1
        self.compose(run_start, count)

    def too_deep(self, chunk: str, index: int) -> bool:
        """Whether the document nests past the limit, found from libyaml's events (its parser,
        unlike its composer, keeps its stack on the heap) before anything is composed."""
        limit = min(self.builder.max_depth, _SAFE_DEPTH)
        depth = 0
        try:
            for event in yaml.parse(chunk, Loader=_FastLoader):
                if isinstance(event, yaml.CollectionStartEvent):
                    depth += 1
                    if depth > limit:
                        line = self.lines[index] + event.start_mark.line + 1
                        self.problem(index + 1, line, f"nested more than {limit} levels deep")
                        return True
                elif isinstance(event, yaml.CollectionEndEvent):
                    depth -= 1
        except yaml.YAMLError:
            # not this check's to report: composing meets the same error and names its line
            return False
        return False

    def compose(self, first, stop):
        index = first
        while index < stop:
            base = self.lines[index]  # marks count lines from the segment's start
            segment = self.text[self.starts[index] : self.ends[stop - 1]]
            loader = None
            try:
                loader = _FastLoader(segment)
                while loader.check_node():
                    node = loader.get_node()
                    self.document(node, index, base)
                    index += 1
                return
            except yaml.MarkedYAMLError as error:
                mark = error.problem_mark or error.context_mark
                line = base + mark.line if mark else self.lines[index]
                bad = max(index, bisect.bisect_right(self.lines, line, index, stop) - 1)
                reason = error.problem or error.context or "unreadable"
                self.problem(bad + 1, line + 1, f"not valid YAML: {reason}")
                index = bad + 1
            except yaml.reader.ReaderError as error:
                # Raised on reading ahead, before the documents in front of it are composed.
                # libyaml counts UTF-8 bytes
                position = len(segment.encode("utf-8")[: error.position].decode("utf-8", "ignore"))
                offset = self.starts[index] + position
                bad = max(index, bisect.bisect_right(self.starts, offset, index, stop) - 1)
                if bad > index:
                    self.compose(index, bad)
                code = error.character if isinstance(error.character, int) else ord(error.character)
                self.problem(
                    bad + 1,
                    self.text.count("\n", 0, offset) + 1,
                    f"not valid YAML: {error.reason} (U+{code:04X})",
                )
                index = bad + 1
            finally:
                if loader is not None:
                    loader.dispose()

    def document(self, node, index, base):
        number = index + 1
        line = base + node.start_mark.line + 1
        if node.__class__ is ScalarNode and node.tag is _NULL:
            return  # an empty document
        if node.__class__ is not MappingNode and self.mappings_only:
            what = "a list" if node.__class__ is SequenceNode else "text"
            self.problem(number, line, f"document {number} is {what}, not an entity mapping")
            return
        try:
            data = self.builder.document(node)
        except _Refused as refusal:
            where = base + refusal.node.start_mark.line + 1 if refusal.node else line
            self.problem(number, where, str(refusal))
            return
        except RecursionError:
            self.problem(number, line, "nested too deeply to read")
            return
        self.documents.append(Document(self.source, number, line, data))


def _no_constant(name: str):
    raise ValueError(f"{name} has no JSON equivalent")


def _measure(value, depth: int, max_depth: int) -> int:
    """Values in parsed JSON, refusing nesting past ``max_depth`` (JSON has no aliases)."""
    if depth > max_depth:
        raise _Refused(f"nested more than {max_depth} levels deep")
    if value.__class__ is dict:
        return 1 + sum(_measure(item, depth + 1, max_depth) + 1 for item in value.values())
    if value.__class__ is list:
        return 1 + sum(_measure(item, depth + 1, max_depth) for item in value)
    return 1


def _load_json(text: str, source: str, max_documents: int, max_depth: int, max_nodes: int):
    """A JSON array of entity objects (what ``gen_catalog.py --json`` writes), each element a
    document, or one JSON object. ``None`` for an object that is not JSON (a YAML flow mapping
    then); an array that is not JSON is refused (as YAML it would be one list document)."""
    decoder = json.JSONDecoder(parse_constant=_no_constant)
    start = _BLANK.match(text).end()
    array = text[start] == "["
    parsed = []  # (value, offset)
    try:
        if not array:
            value, end = decoder.raw_decode(text, start)
            parsed.append((value, start))
        else:
            end = _BLANK.match(text, start + 1).end()
            closed = text[end : end + 1] == "]"
            while not closed:
                begin = end
                value, end = decoder.raw_decode(text, begin)
                parsed.append((value, begin))
                end = _BLANK.match(text, end).end()
                if text[end : end + 1] == ",":
                    end = _BLANK.match(text, end + 1).end()
                elif text[end : end + 1] == "]":
                    closed = True
                else:
                    raise json.JSONDecodeError("Expecting ',' or ']'", text, end)
            end += 1
        if _BLANK.match(text, end).end() != len(text):
            raise json.JSONDecodeError("Extra data", text, end)
    except json.JSONDecodeError as error:
        if not array:
            return None
        failure = Problem(
            source,
            len(parsed) + 1,
            error.lineno,
            None,
            f"not valid JSON: {error.msg} (column {error.colno}); the rest is not read",
        )
    except ValueError as error:  # NaN and Infinity
        failure = Problem(
            source, len(parsed) + 1, None, None, f"not valid JSON: {error}; the rest is not read"
        )
    except RecursionError:
        failure = Problem(
            source, len(parsed) + 1, None, None, "nested too deeply to read; the rest is not read"
        )
    else:
        failure = None
    documents, problems = [], []
    line, previous = 1, 0
    for number, (value, offset) in enumerate(parsed, start=1):
        line += text.count("\n", previous, offset)
        previous = offset
        if number > max_documents:
            problems.append(
                Problem(
                    source,
                    number,
                    line,
                    None,
                    f"the file has more than {max_documents} documents; the rest is not read",
                )
            )
            break
        if not isinstance(value, dict):
            problems.append(
                Problem(
                    source,
                    number,
                    line,
                    None,
                    f"document {number} is {_describe(value)}, not an entity mapping",
                )
            )
            continue
        try:
            size = _measure(value, 1, max_depth)
        except (_Refused, RecursionError) as refusal:
            problems.append(
                Problem(source, number, line, None, str(refusal) or "nested too deeply to read")
            )
            continue
        if size > max_nodes:
            problems.append(
                Problem(
                    source, number, line, None, f"the document holds more than {max_nodes} values"
                )
            )
            continue
        documents.append(Document(source, number, line, value))
    if failure:
        problems.append(failure)
    return documents, problems


def load_documents(
    text: str,
    *,
    source: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_documents: int = DEFAULT_MAX_DOCUMENTS,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> tuple[list[Document], list[Problem]]:
    """The entity-shaped documents of a YAML stream or JSON text, and a Problem for each
    document refused (not a mapping, not valid YAML, too deep, too many values). ``max_nodes``
    bounds the values of one document, counting each use of an alias as a copy."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        return [], [
            Problem(
                source,
                None,
                None,
                None,
                f"the file is {size} bytes, more than the limit of {max_bytes}",
            )
        ]
    text = text.removeprefix("\ufeff")
    if text.lstrip()[:1] in ("[", "{"):
        loaded = _load_json(text, source, max_documents, max_depth, max_nodes)
        if loaded is not None:
            return loaded
    reading = _Reading(text, source, max_documents, max_depth, max_nodes)
    reading.run()
    reading.problems.sort(key=lambda problem: problem.document or 0)
    return reading.documents, reading.problems


def load_value(
    text: str,
    *,
    source: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_nodes: int = DEFAULT_MAX_NODES,
    json_only: bool = False,
):
    """The one JSON or YAML document of a file (JSON only with ``json_only``), of any shape,
    with the same bounds as ``load_documents`` (for ``$json``, ``$yaml`` and ``$openapi``);
    ``ValueError`` says why not."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise ValueError(f"{source} is {size} bytes, more than the limit of {max_bytes}")
    text = text.removeprefix("\ufeff")
    if json_only or text.lstrip()[:1] in ("[", "{"):
        try:
            value = json.loads(text, parse_constant=_no_constant)
        except ValueError as error:
            if json_only:
                raise ValueError(f"{source}: {error}") from None
            # not strict JSON: YAML says where it fails
        except RecursionError:
            raise ValueError(f"{source} is nested too deeply to read") from None
        else:
            try:
                size = _measure(value, 1, max_depth)
            except (_Refused, RecursionError) as refusal:
                raise ValueError(f"{source}: {refusal or 'nested too deeply to read'}") from None
            if size > max_nodes:
                raise ValueError(f"{source} holds more than {max_nodes} values")
            return value
    reading = _Reading(
        text, source, DEFAULT_MAX_DOCUMENTS, max_depth, max_nodes, mappings_only=False
    )
    reading.run()
    if reading.problems:
        problem = reading.problems[0]
        raise ValueError(
            f"{source} line {problem.line}: {problem.message}"
            if problem.line
            else f"{source}: {problem.message}"
        )
    if len(reading.documents) != 1:
        raise ValueError(
            f"{source} should hold exactly one document, and holds {len(reading.documents)}"
        )
    return reading.documents[0].data
