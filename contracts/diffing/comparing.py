"""Parse both sides (strictly, then leniently) and hand them to the API type's rules."""

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from graphql import GraphQLError, build_ast_schema, parse

from catalog.specs import load_document, parse_proto, validate_spec

from . import asyncapi, graphql, openapi, protobuf
from .changes import Change, Comparison, Level

# Each type's rules: (base, revision) as parsed -> changes. Types missing here are reported
# as not comparable rather than passed.
RULES = {
    "asyncapi": asyncapi.changes,
    "graphql": graphql.changes,
    "grpc": protobuf.changes,
    "openapi": openapi.changes,
}


def _lenient_graphql(text: str):
    document = parse(text, max_tokens=settings.KEEL_SPEC_MAX_GRAPHQL_TOKENS, no_location=True)
    return build_ast_schema(document, assume_valid=True, assume_valid_sdl=True)


# How a side the validator refused is read anyway, so that it can still be compared.
_LENIENT = {
    "openapi": load_document,
    "asyncapi": load_document,
    "graphql": _lenient_graphql,
    "grpc": parse_proto,  # syntax errors refused: what the parser recovers is not the file
}


def _messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _parse(api_type: str, text: str, side: str, problems: list[str], max_bytes: int):
    """The parsed document, or None (with the reason in ``problems``) when it cannot be read.
    A text over the size cap is not read at all: the cap bounds the lenient reading too."""
    if len(text.encode()) > max_bytes:
        problems.append(f"The {side} is larger than the limit of {max_bytes:,} bytes.")
        return None
    try:
        parsed = validate_spec(api_type, text, max_bytes=max_bytes)
        if parsed is not None:
            return parsed
    except ValidationError as error:
        problems.extend(f"The {side}: {message}" for message in _messages(error))
    try:
        return _LENIENT[api_type](text)
    except ValidationError as error:  # said once when both readings refuse it alike
        problems.extend(
            f"The {side} cannot be read: {message}"
            for message in _messages(error)
            if f"The {side}: {message}" not in problems
        )
    except (GraphQLError, TypeError, ValueError, RecursionError) as error:
        problems.append(f"The {side} cannot be read: {error}")
    except Exception as error:  # noqa: BLE001 - the protobuf parser raises bare Exceptions
        problems.append(f"The {side} cannot be read: {error}")
    return None


def _not_compared(reason: str, problems: list[str]) -> Comparison:
    change = Change(Level.POTENTIALLY_BREAKING, "could-not-compare", "(whole document)", reason)
    return Comparison(changes=[change], problems=problems, comparable=False)


def compare(api_type: str, base: str, revision: str, *, max_bytes: int | None = None) -> Comparison:
    """The changes from the ``base`` text to the ``revision`` text of an ``api_type`` spec;
    ``max_bytes`` replaces the size cap (for specs stored under an earlier, larger one)."""
    rules = RULES.get(api_type)
    if rules is None:
        return _not_compared(f"Keel cannot compare {api_type} specifications yet.", [])
    problems: list[str] = []
    limit = max_bytes or settings.KEEL_SPEC_MAX_BYTES
    parsed_base = _parse(api_type, base, "base", problems, limit)
    parsed_revision = _parse(api_type, revision, "revision", problems, limit)
    if parsed_base is None or parsed_revision is None:
        return _not_compared(
            "The two documents could not be compared: " + "; ".join(problems), problems
        )
    return compare_parsed(api_type, parsed_base, parsed_revision, problems)


def compare_parsed(api_type: str, base, revision, problems: list[str] | None = None) -> Comparison:
    """The changes between two documents already parsed (as ``validate_spec`` returns them at
    publish), without validating them again: for large OpenAPI 3.1 documents validation costs
    ten to fifty times the diff (``benchmarks/README.md``, "Contract diff")."""
    problems = list(problems or [])
    rules = RULES.get(api_type)
    if rules is None:
        return _not_compared(f"Keel cannot compare {api_type} specifications yet.", problems)
    try:
        changes = rules(base, revision)
    except RecursionError:
        return _not_compared("The documents are nested too deeply to compare.", problems)
    return Comparison(changes=changes, problems=problems)


@lru_cache(maxsize=4)
def _read_base(api_type: str, text: str):
    """A published version's text, read: checks against an API compare their candidates with
    the same current version one after another (a pull request's pipeline at each push), and
    reading 100 KB of YAML costs more than the diff. Keyed by the text, so never stale; the
    rules only read what they are given."""
    return _LENIENT[api_type](text)


def compare_valid(api_type: str, base: str, revision: str, parsed_revision=None) -> Comparison:
    """``compare`` for two texts the validator has accepted already (at publish: the base
    when it was published, the revision just before): each is only read, not validated again,
    which is most of what ``compare`` costs; ``parsed_revision`` is the revision as the
    validator returned it, when it is at hand. A text that does not read after all gets the
    full comparison, which says why."""
    rules = RULES.get(api_type)
    if rules is None:
        return compare(api_type, base, revision)
    try:
        parsed_base = _read_base(api_type, base)
        if parsed_revision is None:
            parsed_revision = _LENIENT[api_type](revision)
    except Exception:  # noqa: BLE001 - not as valid as promised: compare() names the problem
        accepted = max(len(base.encode()), len(revision.encode()), settings.KEEL_SPEC_MAX_BYTES)
        return compare(api_type, base, revision, max_bytes=accepted)
    try:
        return Comparison(changes=rules(parsed_base, parsed_revision))
    except RecursionError:
        return _not_compared("The documents are nested too deeply to compare.", [])
