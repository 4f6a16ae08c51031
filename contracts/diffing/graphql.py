"""GraphQL SDL: graphql-core's breaking and dangerous change detection.

graphql-core finds what breaks a client (a removed type or field, a changed argument type,
a required argument added) and what is dangerous (an enum value or union member added, an
argument's default changed). Its messages name the place; the rule id is its change type.
"""

from graphql import GraphQLSchema, find_breaking_changes, find_dangerous_changes

from .changes import Change, Level


def _location(description: str) -> str:
    """graphql-core says "Query.pets arg limit has changed type …"; the place is the first word."""
    return description.split(" ", 1)[0].rstrip(".")


def changes(base: GraphQLSchema, revision: GraphQLSchema) -> list[Change]:
    found = [
        Change(
            Level.BREAKING,
            f"graphql.{change.type.name.lower()}",
            _location(change.description),
            change.description,
        )
        for change in find_breaking_changes(base, revision)
    ]
    found += [
        Change(
            Level.POTENTIALLY_BREAKING,
            f"graphql.{change.type.name.lower()}",
            _location(change.description),
            change.description,
        )
        for change in find_dangerous_changes(base, revision)
    ]
    return found
