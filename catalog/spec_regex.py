"""OpenAPI validation whose regular expressions run in linear time.

openapi-spec-validator checks every ``default`` against its schema, and a schema's
``pattern`` (or ``patternProperties``) is the spec author's regular expression: with Python's
backtracking ``re``, ``^(a+)+$`` against a 30-character default held a worker for a minute,
and nothing can interrupt it. Here those two keywords match with RE2, whose time is linear
in the text. A pattern RE2 cannot run (backreferences, lookaround) is not checked against the
defaults: an unchecked default is a smaller loss than a worker.
"""

from functools import lru_cache

import re2
from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend
from openapi_schema_validator import OAS30Validator, OAS31Validator
from openapi_spec_validator.validation import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from openapi_spec_validator.validation.keywords import (
    OpenAPIV30ValueValidator,
    OpenAPIV31ValueValidator,
)

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a pattern RE2 refuses is expected, not news for the log


@lru_cache(maxsize=1024)
def _compiled(pattern: str):
    """The RE2 program for ``pattern``, or None when RE2 cannot run it."""
    try:
        return re2.compile(pattern, options=_OPTIONS)
    except (re2.error, TypeError, ValueError):
        return None


def _pattern(validator, pattern, instance, schema):
    if not (validator.is_type(instance, "string") and isinstance(pattern, str)):
        return
    compiled = _compiled(pattern)
    if compiled is not None and compiled.search(instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator, pattern_properties, instance, schema):
    if not (validator.is_type(instance, "object") and isinstance(pattern_properties, dict)):
        return
    for pattern, subschema in pattern_properties.items():
        compiled = _compiled(pattern) if isinstance(pattern, str) else None
        if compiled is None:
            continue
        for key, value in instance.items():
            if compiled.search(key) is not None:
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


_LINEAR = {"pattern": _pattern, "patternProperties": _pattern_properties}


class _V30Values(OpenAPIV30ValueValidator):
    value_validator_cls = extend(OAS30Validator, _LINEAR)


class _V31Values(OpenAPIV31ValueValidator):
    value_validator_cls = extend(OAS31Validator, _LINEAR)


class OpenAPIV30Validator(OpenAPIV30SpecValidator):
    keyword_validators = {**OpenAPIV30SpecValidator.keyword_validators, "default": _V30Values}


class OpenAPIV31Validator(OpenAPIV31SpecValidator):
    keyword_validators = {**OpenAPIV31SpecValidator.keyword_validators, "default": _V31Values}


def validator_for(version: str):
    """The spec validator class for an ``openapi`` version that starts with 3.0 or 3.1."""
    return OpenAPIV30Validator if version.startswith("3.0") else OpenAPIV31Validator
