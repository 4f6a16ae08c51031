"""The one parser for REST request bodies: JSON, bounded, and only text Keel can store.

Every write reaches the API through this parser, so it is where hostile documents stop:

- a body over ``KEEL_API_MAX_BODY_BYTES`` is refused (413) before it is read;
- nesting deeper than ``KEEL_API_MAX_JSON_DEPTH`` is refused (400) before it is parsed; the
  standard parser recurses once per level, and 1,000 levels raised RecursionError (a 500);
- a NUL character or an unpaired surrogate in any string is refused (400) with the field it
  is in: PostgreSQL cannot store NUL and UTF-8 cannot encode a lone surrogate, so either one
  failed later in a query, a slug lookup or the rendering of the error message itself.

Query strings and paths never carry surrogates (Django decodes them with replacement), so
bodies are the only way in.
"""

import json
import re

from django.conf import settings
from rest_framework import exceptions, parsers, status
from rest_framework.utils.json import strict_constant

# Structural characters, and escapes as a unit so that an escaped quote is not a quote.
_STRUCTURE = re.compile(r'\\.|["\[\]{}]', re.DOTALL)
# A NUL or surrogate escape; only a document with one needs its strings looked at.
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.KEEL_API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise RequestTooLarge(f"The request body may be at most {limit} bytes.")
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise RequestTooLarge(f"The request body may be at most {limit} bytes.")
        try:
            text = raw.decode(parsers.get_encoding(parser_context or {}))
        except (UnicodeDecodeError, LookupError) as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from error
        _refuse_deep_nesting(text, settings.KEEL_API_MAX_JSON_DEPTH)
        try:
            data = json.loads(text, parse_constant=strict_constant if self.strict else None)
        except ValueError as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from error
        if _SUSPECT_ESCAPE.search(text):
            _refuse_unstorable_text(data)
        return data


def _refuse_deep_nesting(text: str, limit: int) -> None:
    """Count brackets outside strings; the scan is linear and never recurses."""
    depth = 0
    in_string = False
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token == '"':
            in_string = not in_string
        elif in_string or token[0] == "\\":
            continue
        elif token in "[{":
            depth += 1
            if depth > limit:
                raise exceptions.ParseError(
                    f"JSON parse error - the document is nested more than {limit} levels deep."
                )
        else:
            depth -= 1


def _refuse_unstorable_text(data) -> None:
    """A field error naming the top-level field whose value (or key) holds a NUL character
    or an unpaired surrogate; the error repeats nothing of the offending text."""
    pending = [(None, data)]
    while pending:
        field, value = pending.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                pending.append((field, key))
                pending.append((key if field is None else field, item))
        elif isinstance(value, list):
            pending.extend((field, item) for item in value)
        elif isinstance(value, str) and (found := _UNSTORABLE.search(value)):
            char = found.group()
            message = (
                "Null characters are not allowed."
                if char == "\x00"
                else f"Surrogate characters are not allowed: U+{ord(char):X}."
            )
            if field is None or _UNSTORABLE.search(field):
                raise exceptions.ParseError(f"JSON parse error - {message}")
            raise exceptions.ValidationError({field: [message]})
