"""Validation of API specifications by type, with the validator's message and location.

OpenAPI 3.0/3.1 documents go through ``openapi-spec-validator``; AsyncAPI documents are
parsed and checked for their required top level; GraphQL SDL is built into a schema by
graphql-core; protobuf is parsed by ``proto-schema-parser``. YAML anchors and aliases are
refused: they are rare in API specs and make "billion laughs" documents possible.

Every parser is bounded: the text by ``KEEL_SPEC_MAX_BYTES``, YAML and JSON by nesting depth,
GraphQL by ``KEEL_SPEC_MAX_GRAPHQL_TOKENS`` (parse, validation and schema building are linear
in tokens). Validation time is therefore bounded by the caps; ``benchmarks/specs.py`` measures
the largest documents they allow. ``validate_spec`` returns what it parsed, so the page summary
(``catalog.spec_summaries``) is worked out from it once, at publish time.
"""

import json

import yaml
from antlr4.error.ErrorListener import ErrorListener
from django.conf import settings
from django.core.exceptions import ValidationError
from graphql import GraphQLError, GraphQLSchema, build_ast_schema, parse
from graphql.language import ParallelVisitor, Visitor, visit
from graphql.validation import SDLValidationContext
from graphql.validation.specified_rules import specified_sdl_rules
from openapi_spec_validator import validate as validate_openapi
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from proto_schema_parser.parser import Parser as ProtoParser
from referencing.exceptions import Unresolvable

from .spec_regex import validator_for

try:  # the C loader is 15-25 times faster; fall back where libyaml is missing
    _SafeLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _SafeLoader = yaml.SafeLoader

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def _refuse_tag(loader, node):
    raise yaml.MarkedYAMLError(
        problem=f"the YAML type {node.tag!r} has no JSON equivalent", problem_mark=node.start_mark
    )


class DataLoader(_SafeLoader):
    """YAML read as JSON data: what looks like a date or a time stays a string (examples in
    real specs hold unquoted timestamps, and JSON Schema knows no date type), and the YAML-only
    types (binary, sets, ordered pairs) are refused where they stand."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
    }


def _int(loader, node):
    try:
        return loader.construct_yaml_int(node)
    except ValueError as error:  # more digits than Python converts
        raise yaml.MarkedYAMLError(problem=str(error), problem_mark=node.start_mark) from None


DataLoader.add_constructor(_TIMESTAMP, DataLoader.construct_yaml_str)
DataLoader.add_constructor("tag:yaml.org,2002:int", _int)
for _tag in ("binary", "set", "omap", "pairs"):
    DataLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse_tag)


# Deeper nesting is no API description; far deeper (a few ten thousand levels, some 100 kB)
# overflows the C stack of libyaml's composer and kills the process.
MAX_NESTING = 200


def _refuse_aliases(text: str) -> None:
    """Refuse anchors and aliases, and absurd nesting, before anything is built or expanded."""
    depth = 0
    for event in yaml.parse(text, Loader=DataLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(
                problem="YAML anchors and aliases (&name, *name) are not allowed in specifications",
                problem_mark=event.start_mark,
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                raise yaml.MarkedYAMLError(
                    problem=f"nested more than {MAX_NESTING} levels deep",
                    problem_mark=event.start_mark,
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _refuse(message: str) -> ValidationError:
    return ValidationError({"spec": message})


def _where(path) -> str:
    """The place ``path`` (keys and indexes from the root) names, as ``paths//orders/get``."""
    return "/".join(str(part) for part in path) or "(document root)"


def _line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def _json_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _load_json(text: str):
    """JSON is YAML, and reads a hundred times faster as JSON; anything else goes to YAML."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        return json.loads(text, parse_constant=_json_constant)
    except ValueError:  # not strict JSON (a YAML flow mapping, say): YAML says where it fails
        return None


def load_document(text: str) -> dict:
    """Parse a JSON or YAML document into a mapping of JSON values, or raise with the line
    and column where it fails."""
    try:
        _refuse_aliases(text)
        document = _load_json(text)
        if document is None:
            document = yaml.load(text, Loader=DataLoader)  # noqa: S506 - a safe loader
            # JSON Schema validators expect JSON: YAML's integer and null keys become strings.
            document = json.loads(json.dumps(document))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise _refuse(f"Not valid YAML or JSON{where}: {error.problem}.") from None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow, by offset
        line, column = _line_column(text, error.position)
        code = error.character if isinstance(error.character, int) else ord(error.character)
        raise _refuse(
            f"Not valid YAML or JSON at line {line}, column {column}: the character "
            f"#x{code:04x} is not allowed ({error.reason})."
        ) from None
    except yaml.YAMLError as error:  # pragma: no cover - the others carry a mark
        raise _refuse(f"Not valid YAML or JSON: {error}.") from None
    except ValueError as error:  # pragma: no cover - the loader locates its value errors
        raise _refuse(f"Not valid YAML or JSON: {error}.") from None
    if not isinstance(document, dict):
        raise _refuse("The specification must be a YAML or JSON mapping at the top level.")
    _refuse_nul(document)
    return document


def _nodes(document):
    """Every value of ``document`` with its path from the root, depth first."""
    stack = [((), document)]
    while stack:
        path, node = stack.pop()
        yield path, node
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in enumerate(node))


def _refuse_nul(document: dict) -> None:
    """A NUL character (``"\\u0000"`` in JSON, ``"\\0"`` in YAML) is refused where it stands:
    the summary stored beside the spec is JSON, which PostgreSQL cannot store with one."""
    for path, node in _nodes(document):
        texts = [node] if isinstance(node, str) else node if isinstance(node, dict) else ()
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise _refuse(f"Not valid at {_where(path)}: NUL characters are not allowed.")


def _find_ref(document: dict, ref: str) -> tuple:
    """The path of the first ``$ref`` to ``ref`` (an error names the target, not the place)."""
    for path, node in _nodes(document):
        if isinstance(node, dict) and node.get("$ref") in (ref, f"#{ref}"):
            return path
    return ()


def _refuse_external_refs(document: dict, version: str) -> None:
    """Only references inside the document: resolving any other would make the portal fetch
    URLs or read its own files (and echo them in error messages)."""
    for path, node in _nodes(document):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if isinstance(ref, str) and not ref.startswith("#"):
            raise _refuse(
                f"Invalid OpenAPI {version} at {_where(path)}: only references "
                f"inside the document ('#/...') are allowed, not {ref[:200]!r}."
            )


def _check_openapi(text: str) -> dict:
    document = load_document(text)
    version = str(document.get("openapi", ""))
    if not version.startswith(("3.0", "3.1")):
        found = f"is {version!r}" if version else "is missing"
        raise _refuse(
            "Expected an OpenAPI 3.0 or 3.1 document at openapi: the top-level 'openapi' "
            f"field {found}."
        )
    if not isinstance(document["openapi"], str):
        raise _refuse(
            f"Invalid OpenAPI {version} at openapi: the version must be a string such as "
            f"'{version}.0' (in YAML, quote it)."
        )
    _refuse_external_refs(document, version)
    try:
        validate_openapi(document, cls=validator_for(version))
    except OpenAPIValidationError as error:
        raise _refuse(
            f"Invalid OpenAPI {version} at {_where(error.absolute_path)}: {error.message}"
        ) from None
    except Unresolvable as error:
        ref = str(error.ref)
        raise _refuse(
            f"Invalid OpenAPI {version} at {_where(_find_ref(document, ref))}: the reference "
            f"{ref[:200]!r} points to nothing in the document."
        ) from None
    return document


def _check_asyncapi(text: str) -> dict:
    document = load_document(text)
    if "asyncapi" not in document:
        raise _refuse(
            "Expected an AsyncAPI document at asyncapi: the top-level 'asyncapi' field is missing."
        )
    info = document.get("info")
    if not isinstance(info, dict) or not info.get("title") or not info.get("version"):
        raise _refuse("Invalid AsyncAPI at info: 'info' needs a 'title' and a 'version'.")
    channels = document.get("channels", {})
    if not isinstance(channels, dict):
        raise _refuse("Invalid AsyncAPI at channels: 'channels' must be a mapping.")
    return document


class _FirstError(Exception):
    def __init__(self, error: GraphQLError):
        self.error = error


def _stop(error: GraphQLError):
    raise _FirstError(error)


class _NoNul(Visitor):
    """A NUL character (the ``\\u0000`` escape) in a description or default: refused, as in
    YAML and JSON documents, because the summary stored beside the spec cannot hold one."""

    def enter_string_value(self, node, *_):
        if "\x00" in node.value:
            _stop(GraphQLError("NUL characters are not allowed.", node))


def _validate_sdl(document) -> None:
    """graphql-core's ``validate_sdl``, stopped at the first error: it collects every error,
    and each one locates itself by rescanning the source, so 80,000 duplicate fields took
    minutes."""
    context = SDLValidationContext(document, None, _stop)
    rules = [rule(context) for rule in specified_sdl_rules]
    try:
        visit(document, ParallelVisitor([*rules, _NoNul()]))
    except _FirstError as first:
        raise first.error from None


def _check_graphql(text: str) -> GraphQLSchema:
    max_tokens = settings.KEEL_SPEC_MAX_GRAPHQL_TOKENS
    try:
        # Without locations every token can be freed as it is read: a third less memory and
        # time. Only a refusal needs them, and then the document is read again to say where.
        document = parse(text, max_tokens=max_tokens, no_location=True)
        try:
            _validate_sdl(document)  # here, not in build_ast_schema, to keep the first error
        except GraphQLError:
            _validate_sdl(parse(text, max_tokens=max_tokens))
            raise
        return build_ast_schema(document, assume_valid_sdl=True)
    except GraphQLError as error:
        where = ""
        if error.positions:  # graphql-core's own locations are off at the start of a line
            line, column = _line_column(text, error.positions[0])
            where = f" at line {line}, column {column}"
        raise _refuse(f"Invalid GraphQL SDL{where}: {error.message}") from None
    except TypeError as error:
        raise _refuse(f"Invalid GraphQL SDL: {error}") from None


class _RaisingListener(ErrorListener):
    def syntaxError(self, recognizer, offending, line, column, msg, e):  # noqa: N802
        raise _refuse(f"Invalid protobuf at line {line}, column {column + 1}: {msg}.")


def parse_proto(text: str):
    """The parsed ``.proto`` file, or ``ValidationError`` at the first syntax error (the
    parser would otherwise print it and go on with what it could recover)."""

    def listen(recognizer):
        recognizer.removeErrorListeners()
        recognizer.addErrorListener(_RaisingListener())

    return ProtoParser(setup_lexer=listen, setup_parser=listen).parse(text)


def _check_grpc(text: str):
    parsed = parse_proto(text)
    if not any(type(element).__name__ == "Service" for element in parsed.file_elements):
        raise _refuse("A gRPC contract must declare at least one service.")
    return parsed


_CHECKS = {
    "openapi": _check_openapi,
    "asyncapi": _check_asyncapi,
    "graphql": _check_graphql,
    "grpc": _check_grpc,
}


def validate_spec(api_type: str, text: str, *, max_bytes: int | None = None):
    """Raise ``ValidationError({"spec": ...})`` unless ``text`` is a valid ``api_type`` spec;
    return what was parsed (a mapping, a GraphQL schema, or a protobuf ``File``). ``max_bytes``
    replaces the size cap (for specs stored under an earlier, larger one)."""
    limit = max_bytes or settings.KEEL_SPEC_MAX_BYTES
    if len(text.encode()) > limit:
        raise _refuse(f"The specification is larger than the limit of {limit:,} bytes.")
    if not text.strip():
        raise _refuse("The specification is empty.")
    try:
        return _CHECKS[api_type](text)
    except RecursionError:
        raise _refuse("The specification is nested too deeply to validate.") from None
