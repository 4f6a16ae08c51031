import graphene
from graphene_django import DjangoObjectType

from portal.graphql.types import CountedConnection, RestrictedType, UserType, choices_enum

from ..models import Membership, Team
from .loaders import memberships_of_team, team_by_id

TeamRole = choices_enum(Membership.Role, "TeamRole", "A member's role: leads manage the team.")


class TeamType(RestrictedType):
    parent = graphene.Field(lambda: TeamType)
    members = graphene.List(graphene.NonNull(lambda: MembershipType), required=True)
    services = graphene.List(graphene.NonNull("catalog.graphql.types.ServiceType"), required=True)

    class Meta:
        model = Team
        name = "Team"
        fields = (
            "slug", "name", "description", "parent", "chat_channel", "email", "oncall_url",
            "members", "services", "created_at", "updated_at",
        )  # fmt: skip
        connection_class = CountedConnection
        use_connection = True

    @staticmethod
    def resolve_parent(root, info):
        return team_by_id.load(info, root, "parent_id")

    @staticmethod
    def resolve_members(root, info):
        return memberships_of_team.load(info, root)

    @staticmethod
    def resolve_services(root, info):
        from catalog.graphql.loaders import services_of_team  # catalog builds on teams

        return services_of_team.load(info, root)


class MembershipType(DjangoObjectType):
    role = graphene.Field(TeamRole, required=True)
    user = graphene.Field(UserType, required=True)
    team = graphene.Field(TeamType, required=True)

    class Meta:
        model = Membership
        name = "Membership"
        fields = ("role", "user", "team", "created_at")

    @staticmethod
    def resolve_team(root, info):
        return team_by_id.load(info, root, "team_id")
