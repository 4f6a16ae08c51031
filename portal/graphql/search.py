"""``search``: the portal's search box in GraphQL, the same hits as the page and REST."""

import graphene
from graphql import GraphQLError

from portal.filters import MAX_QUERY_LENGTH
from portal.search import KIND_ORDER, PER_KIND, search

SearchKind = graphene.Enum(
    "SearchKind", [(kind.upper(), kind) for kind in sorted(KIND_ORDER, key=KIND_ORDER.get)]
)


class SearchHit(graphene.ObjectType):
    kind = graphene.Field(SearchKind, required=True)
    label = graphene.String(required=True, description="The kind as the pages name it.")
    slug = graphene.String(required=True, description="A person's username.")
    name = graphene.String(required=True)
    description = graphene.String(required=True)
    url = graphene.String(required=True, description="The object's page.")
    rank = graphene.Float(required=True)

    @staticmethod
    def resolve_slug(hit, info):
        return hit.obj.slug


class SearchQuery(graphene.ObjectType):
    search = graphene.List(
        graphene.NonNull(SearchHit),
        required=True,
        query=graphene.String(required=True, description="Words to look for."),
        kinds=graphene.List(graphene.NonNull(SearchKind), description="Only these kinds."),
        limit=graphene.Int(default_value=PER_KIND, description="At most this many of each kind."),
        description="Services, APIs, teams, people, systems, domains and resources the caller "
        "may see, best first.",
    )

    @staticmethod
    def resolve_search(root, info, query, kinds=None, limit=PER_KIND):
        if len(query) > MAX_QUERY_LENGTH:
            raise GraphQLError(f"Search for at most {MAX_QUERY_LENGTH} characters.")
        if not 1 <= limit <= PER_KIND:
            raise GraphQLError(f"The limit is between 1 and {PER_KIND}.")
        if not info.context.user.is_authenticated:
            return []
        chosen = {getattr(kind, "value", kind) for kind in kinds} if kinds else None
        return search(query, info.context.user, per_kind=limit, kinds=chosen)
