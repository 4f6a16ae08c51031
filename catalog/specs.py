"""Validation of API specifications by type, with the validator's message and location.

OpenAPI 3.0/3.1 documents go through ``openapi-spec-validator``; AsyncAPI documents are
parsed and checked for their required top level; GraphQL SDL is built into a schema by
graphql-core; protobuf is parsed by ``proto-schema-parser``. YAML anchors and aliases are
refused: they are rare in API specs and make "billion laughs" documents possible.
"""

import json

import yaml
from antlr4.error.ErrorListener import ErrorListener
from django.conf import settings
from django.core.exceptions import ValidationError
from graphql import GraphQLError, build_ast_schema, parse
from graphql.validation.validate import validate_sdl
from openapi_spec_validator import validate as validate_openapi
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from proto_schema_parser.parser import Parser as ProtoParser
from referencing.exceptions import Unresolvable

try:  # the C loader is 15-25 times faster; fall back where libyaml is missing
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


# Deeper nesting is no API description; far deeper (a few ten thousand levels, some 100 kB)
# overflows the C stack of libyaml's composer and kills the process.
MAX_NESTING = 200


def _refuse_aliases(text: str) -> None:
    """Refuse anchors and aliases, and absurd nesting, before anything is built or expanded."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
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


def load_document(text: str) -> dict:
    """Parse a JSON or YAML document into a mapping, or raise with line and column."""
    try:
        _refuse_aliases(text)
        document = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise _refuse(f"Not valid YAML or JSON{where}: {error.problem}.") from None
    except yaml.YAMLError as error:
        raise _refuse(f"Not valid YAML or JSON: {error}.") from None
    except ValueError as error:  # e.g. an integer longer than Python converts
        raise _refuse(f"Not valid YAML or JSON: {error}.") from None
    if not isinstance(document, dict):
        raise _refuse("The specification must be a YAML or JSON mapping at the top level.")
    # JSON Schema validators expect JSON types: refuse YAML dates, sets and non-string keys.
    try:
        return json.loads(json.dumps(document))
    except (TypeError, ValueError) as error:
        raise _refuse(f"The specification uses values JSON cannot hold: {error}.") from None


def _refuse_external_refs(document: dict, version: str) -> None:
    """Only references inside the document: resolving any other would make the portal fetch
    URLs or read its own files (and echo them in error messages)."""
    stack = [((), document)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                where = "/".join(path) or "(document root)"
                raise _refuse(
                    f"Invalid OpenAPI {version} at {where}: only references inside the document "
                    f"('#/...') are allowed, not {ref[:200]!r}."
                )
            stack.extend(((*path, str(k)), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, str(i)), v) for i, v in enumerate(node))


def _check_openapi(text: str) -> None:
    document = load_document(text)
    version = str(document.get("openapi", ""))
    if not version.startswith(("3.0", "3.1")):
        found = f"is {version!r}" if version else "is missing"
        raise _refuse(
            f"Expected an OpenAPI 3.0 or 3.1 document: the top-level 'openapi' field {found}."
        )
    if not isinstance(document["openapi"], str):
        raise _refuse(
            f"Invalid OpenAPI {version} at openapi: the version must be a string such as "
            f"'{version}.0' (in YAML, quote it)."
        )
    _refuse_external_refs(document, version)
    try:
        validate_openapi(document)
    except OpenAPIValidationError as error:
        where = "/".join(str(p) for p in error.absolute_path) or "(document root)"
        raise _refuse(f"Invalid OpenAPI {version} at {where}: {error.message}") from None
    except Unresolvable as error:
        raise _refuse(
            f"Invalid OpenAPI {version}: the reference {str(error.ref)[:200]!r} points to "
            "nothing in the document."
        ) from None


def _check_asyncapi(text: str) -> None:
    document = load_document(text)
    if "asyncapi" not in document:
        raise _refuse("Expected an AsyncAPI document: the top-level 'asyncapi' field is missing.")
    info = document.get("info")
    if not isinstance(info, dict) or not info.get("title") or not info.get("version"):
        raise _refuse("Invalid AsyncAPI at info: 'info' needs a 'title' and a 'version'.")
    channels = document.get("channels", {})
    if not isinstance(channels, dict):
        raise _refuse("Invalid AsyncAPI at channels: 'channels' must be a mapping.")


def _check_graphql(text: str) -> None:
    try:
        document = parse(text)
        errors = validate_sdl(document)  # checked here, not in build_ast_schema, to keep locations
        if errors:
            raise errors[0]
        build_ast_schema(document, assume_valid_sdl=True)
    except GraphQLError as error:
        where = ""
        if error.locations:
            loc = error.locations[0]
            where = f" at line {loc.line}, column {loc.column}"
        raise _refuse(f"Invalid GraphQL SDL{where}: {error.message}") from None
    except TypeError as error:
        raise _refuse(f"Invalid GraphQL SDL: {error}") from None


class _RaisingListener(ErrorListener):
    def syntaxError(self, recognizer, offending, line, column, msg, e):  # noqa: N802
        raise _refuse(f"Invalid protobuf at line {line}, column {column + 1}: {msg}.")


def _check_grpc(text: str) -> None:
    def listen(recognizer):
        recognizer.removeErrorListeners()
        recognizer.addErrorListener(_RaisingListener())

    parsed = ProtoParser(setup_lexer=listen, setup_parser=listen).parse(text)
    if not any(type(element).__name__ == "Service" for element in parsed.file_elements):
        raise _refuse("A gRPC contract must declare at least one service.")


_CHECKS = {
    "openapi": _check_openapi,
    "asyncapi": _check_asyncapi,
    "graphql": _check_graphql,
    "grpc": _check_grpc,
}


def validate_spec(api_type: str, text: str) -> None:
    """Raise ``ValidationError({"spec": ...})`` unless ``text`` is a valid ``api_type`` spec."""
    limit = settings.KEEL_SPEC_MAX_BYTES
    if len(text.encode()) > limit:
        raise _refuse(f"The specification is larger than the limit of {limit:,} bytes.")
    if not text.strip():
        raise _refuse("The specification is empty.")
    try:
        _CHECKS[api_type](text)
    except RecursionError:
        raise _refuse("The specification is nested too deeply to validate.") from None
