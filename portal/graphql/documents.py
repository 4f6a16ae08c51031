"""Parsed and validated documents, kept per query text.

Clients send the same few documents again and again, and parsing and validating one costs
more than a millisecond. Both are pure functions of the text, the schema and the settings that
shape them (the token limit, introspection), which are all part of the key: an entry can never
be stale, so it is no cache of data. The limits (``limits.check``) still run on every request,
between parsing and validation, as they depend on the variables too. A document that fails to
parse is never kept; a few hundred distinct texts are.
"""

from functools import lru_cache

from django.conf import settings
from graphene_django.settings import graphene_settings
from graphql import DocumentNode, GraphQLError, GraphQLSchema, specified_rules, validate
from graphql.validation import NoSchemaIntrospectionCustomRule

from . import limits

KEPT = 256


def parse(query: str) -> DocumentNode:
    """``limits.parse_document(query)``, parsed once per text; raises GraphQLError alike."""
    return _parsed(query, settings.KEEL_GRAPHQL_MAX_TOKENS)


def validation_errors(schema: GraphQLSchema, query: str) -> tuple[GraphQLError, ...]:
    """What GraphQL's own rules find wrong with the (parsed) ``query``; introspection is one
    of them unless the settings allow it."""
    return _validated(
        schema, query, settings.KEEL_GRAPHQL_MAX_TOKENS, settings.KEEL_GRAPHQL_INTROSPECTION
    )


def validation_rules(introspection: bool) -> tuple:
    if introspection:
        return tuple(specified_rules)
    return (*specified_rules, NoSchemaIntrospectionCustomRule)


@lru_cache(maxsize=KEPT)
def _parsed(query: str, max_tokens: int) -> DocumentNode:
    return limits.parse_document(query)


@lru_cache(maxsize=KEPT)
def _validated(schema, query: str, max_tokens: int, introspection: bool) -> tuple:
    document = _parsed(query, max_tokens)
    rules = validation_rules(introspection)
    return tuple(validate(schema, document, rules, graphene_settings.MAX_VALIDATION_ERRORS))
