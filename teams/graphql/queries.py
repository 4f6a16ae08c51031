import graphene

from portal.graphql.queries import FilteredConnectionField, one_by_slug

from ..filters import TeamFilterSet
from ..models import Team
from .types import TeamType


class TeamsQuery(graphene.ObjectType):
    teams = FilteredConnectionField(TeamType, filterset_class=TeamFilterSet)
    team = graphene.Field(TeamType, slug=graphene.String(required=True))

    @staticmethod
    def resolve_team(root, info, slug):
        return one_by_slug(info, Team, slug)
