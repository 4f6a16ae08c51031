"""OpenAPI validation whose regular expressions run in linear time, and whose check of each
3.1 schema against its dialect does not crawl the meta-schemas again every time.

openapi-spec-validator checks every ``default`` against its schema, and a schema's
``pattern`` (or ``patternProperties``) is the spec author's regular expression: with Python's
backtracking ``re``, ``^(a+)+$`` against a 30-character default held a worker for a minute,
and nothing can interrupt it. Here those two keywords match with RE2, whose time is linear
in the text. A pattern RE2 cannot run (backreferences, lookaround) is not checked against the
defaults: an unchecked default is a smaller loss than a worker.

For 3.1, openapi-spec-validator's validators of the document (against the OpenAPI 3.1
schema) and of each schema in it (``check_schema`` of its dialect) re-crawl their meta-schemas
at every ``$dynamicRef``; here both are built over registries crawled once (``_crawled``), and
report the same errors.

Both, and the 3.0 document's check, ask jsonschema-rs first (``_rust_first``): a valid
document is the common case and jsonschema-rs says so in a hundredth of the time (the
typical 200-operation 3.1 document: 0.9 ms instead of 200 ms against the OpenAPI schema).
Only what it refuses is validated again by jsonschema, so every refusal keeps jsonschema's
message and location, and where the two disagree on a refusal jsonschema's verdict stands.
"""

from functools import cache, lru_cache

import jsonschema_rs
import re2
from jsonschema import validators as jsonschema_validators
from jsonschema.exceptions import SchemaError, ValidationError
from jsonschema.validators import extend
from jsonschema_specifications import REGISTRY as JSON_SCHEMA_REGISTRY
from openapi_schema_validator import OAS30Validator, OAS31Validator
from openapi_schema_validator._specifications import REGISTRY as OPENAPI_REGISTRY
from openapi_spec_validator.schemas import openapi_v30_schema_validator, schema_v30, schema_v31
from openapi_spec_validator.validation import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from openapi_spec_validator.validation.keywords import (
    OpenAPIV30ValueValidator,
    OpenAPIV31SchemaValidator,
    OpenAPIV31ValueValidator,
)
from referencing.jsonschema import specification_with

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


def _crawled(schema, **options):
    """A validator of ``schema`` (its dialect's class) whose registry holds ``schema`` and
    every meta-schema crawled once. jsonschema adds the root uncrawled, and each anchor it
    then misses (every ``$dynamicRef`` of 2020-12) crawls the root again: 540 crawls of the
    OpenAPI 3.1 schema, most of the time of validating a 200-operation document."""
    validator_cls = jsonschema_validators.validator_for(schema)
    root = specification_with(schema.get("$schema", "")).create_resource(schema)
    uri = root.id() or ""
    registry = JSON_SCHEMA_REGISTRY.combine(OPENAPI_REGISTRY).with_resource(uri, root).crawl()
    return validator_cls(schema, _resolver=registry.resolver(base_uri=uri), **options)


def _rust(schema, format_checker=None):
    """jsonschema-rs's validator of ``schema``, offline, over the same meta-schemas. With
    ``format_checker``, the formats that it checks are checked by it (Python's functions),
    so that a pattern is a ``regex`` exactly when Python's ``re`` compiles it."""
    registry = jsonschema_rs.Registry(
        [(uri, OPENAPI_REGISTRY.contents(uri)) for uri in OPENAPI_REGISTRY]
    )
    formats = {}
    if format_checker is not None:
        formats = {
            name: lambda value, name=name: format_checker.conforms(value, name)
            for name in format_checker.checkers
        }
    return jsonschema_rs.validator_for(
        schema,
        registry=registry,
        offline=True,
        validate_formats=format_checker is not None,
        formats=formats,
    )


class _RustFirst:
    """``iter_errors`` of jsonschema's ``exact`` validator, skipped when ``fast`` (the
    jsonschema-rs one of the same schema) finds the instance valid."""

    def __init__(self, fast, exact):
        self.fast, self.exact = fast, exact

    def iter_errors(self, instance):
        if self.fast.is_valid(instance):
            return iter(())
        return self.exact.iter_errors(instance)


def _rust_first(schema, **options):
    return _RustFirst(_rust(schema, options.get("format_checker")), _crawled(schema, **options))


@cache
def _meta_checker(validator_cls, format_checker):
    """``validator_cls.check_schema`` over a meta-schema validator made once, crawled."""
    meta = _rust_first(validator_cls.META_SCHEMA, format_checker=format_checker)

    def check(schema):
        for error in meta.iter_errors(schema):
            raise SchemaError.create_from(error)

    return check


@cache
def _document_validator(version: str):
    """The validator of a whole 3.0 or 3.1 document against its OpenAPI schema, made once."""
    if version == "3.0":  # no dynamic references: openapi-spec-validator's own is no slower
        return _RustFirst(_rust(dict(schema_v30)), openapi_v30_schema_validator)
    return _rust_first(dict(schema_v31))


class _V31Schemas(OpenAPIV31SchemaValidator):
    def _get_schema_checker(self, schema, schema_value):
        validator_cls = self._get_validator_class_for_dialect(
            self._get_schema_dialect_id(schema, schema_value)
        )
        if validator_cls is None:  # the original says which dialect it does not know
            return super()._get_schema_checker(schema, schema_value)
        return _meta_checker(validator_cls, self.schema_validator_format_checker)


class OpenAPIV30Validator(OpenAPIV30SpecValidator):
    @property
    def schema_validator(self):
        return _document_validator("3.0")

    keyword_validators = {**OpenAPIV30SpecValidator.keyword_validators, "default": _V30Values}


class OpenAPIV31Validator(OpenAPIV31SpecValidator):
    @property
    def schema_validator(self):
        return _document_validator("3.1")

    keyword_validators = {
        **OpenAPIV31SpecValidator.keyword_validators,
        "default": _V31Values,
        "schema": _V31Schemas,
    }


def validator_for(version: str):
    """The spec validator class for an ``openapi`` version that starts with 3.0 or 3.1."""
    return OpenAPIV30Validator if version.startswith("3.0") else OpenAPIV31Validator
