"""Refuse abusive queries before anything runs: too deep, too many aliases, too long.

Depth and aliases are validation rules, so the answer is HTTP 400 with a GraphQL error; the
length check happens in the view before the document is parsed.
"""

from django.conf import settings
from graphene.validation import depth_limit_validator
from graphql import GraphQLError, ValidationRule, specified_rules

MAX_DOCUMENT_CHARS = 100_000


def alias_limit_validator(max_aliases: int) -> type[ValidationRule]:
    """Aliases let one request ask for the same expensive field many times over."""

    class AliasLimitValidator(ValidationRule):
        def __init__(self, context):
            super().__init__(context)
            self.aliases = 0

        def enter_field(self, node, *_args):
            if node.alias is None:
                return
            self.aliases += 1
            if self.aliases == max_aliases + 1:
                self.report_error(
                    GraphQLError(f"The query uses more than {max_aliases} aliases.", node)
                )

    return AliasLimitValidator


def validation_rules() -> tuple:
    """GraphQL's own rules (the view replaces them with what it is given) plus ours."""
    return (
        *specified_rules,
        depth_limit_validator(max_depth=settings.KEEL_GRAPHQL_MAX_DEPTH),
        alias_limit_validator(settings.KEEL_GRAPHQL_MAX_ALIASES),
    )
