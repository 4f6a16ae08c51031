"""``teamCoupling``: Conway's law in GraphQL, the same document as ``GET /api/v1/graph/teams/``
(``catalog.coupling``); graphene's default resolver reads its dictionaries' keys."""

import graphene

from .. import coupling


class CoupledTeam(graphene.ObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    services = graphene.Int(required=True, description="How many services the team owns.")
    partners = graphene.Int(required=True, description="Teams it is coupled to, either way.")
    weight = graphene.Int(required=True, description="The weight of all its links.")


class DependencyCounts(graphene.ObjectType):
    sync = graphene.Int(required=True)
    # ``async`` is a Python keyword: the field keeps its name in the schema
    async_ = graphene.Int(required=True, name="async")
    data = graphene.Int(required=True)

    @staticmethod
    def resolve_async_(counts, info):
        return counts["async"]


class TeamLink(graphene.ObjectType):
    source = graphene.String(required=True, description="The team whose services call.")
    target = graphene.String(required=True, description="The team whose services are called.")
    weight = graphene.Int(required=True)
    dependencies = graphene.Field(DependencyCounts, required=True)
    consumptions = graphene.Int(required=True, description="APIs of the target consumed.")


class TeamCoupling(graphene.ObjectType):
    teams = graphene.List(graphene.NonNull(CoupledTeam), required=True)
    links = graphene.List(graphene.NonNull(TeamLink), required=True)


class CouplingQuery(graphene.ObjectType):
    team_coupling = graphene.Field(
        TeamCoupling,
        required=True,
        description="Every team, its partners, and the weighted links between teams.",
    )

    @staticmethod
    def resolve_team_coupling(root, info):
        return coupling.team_coupling(info.context.user)
