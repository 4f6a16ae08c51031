import graphene
from django.core.exceptions import ValidationError

from portal.graphql.mutations import VIA, ActionMutation, by_slug
from portal.lookups import user_named

from .. import actions
from ..models import Team
from .types import MembershipType, TeamRole, TeamType


def _user(username: str):
    """Named as everywhere (``portal.lookups``); an inactive one is ``Membership.clean``'s."""
    user = user_named(username)
    if user is None:
        raise ValidationError({"username": f"There is no user {username[:150]!r}."})
    return user


class TeamFields:
    name = graphene.String()
    description = graphene.String()
    parent = graphene.String(description="Slug of the parent team.")
    chat_channel = graphene.String()
    email = graphene.String()
    oncall_url = graphene.String()


class CreateTeamInput(TeamFields, graphene.InputObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)


class UpdateTeamInput(TeamFields, graphene.InputObjectType):
    slug = graphene.String(required=True, description="The team to change.")


class MemberInput(graphene.InputObjectType):
    team = graphene.String(required=True, description="Slug of the team.")
    username = graphene.String(required=True)


class MemberRoleInput(MemberInput):
    role = TeamRole(required=True)


class AddTeamMemberInput(MemberInput):
    role = TeamRole(default_value=TeamRole.MEMBER.value)


class CreateTeam(ActionMutation):
    team = graphene.Field(TeamType)
    nullable = {"parent"}

    class Arguments:
        input = CreateTeamInput(required=True)

    @classmethod
    def perform(cls, info, actor, parent=None, **fields):
        parent = by_slug(info, Team, parent, "parent")
        return {"team": actions.create_team(actor=actor, via=VIA, parent=parent, **fields)}


class UpdateTeam(ActionMutation):
    team = graphene.Field(TeamType)
    nullable = {"parent"}

    class Arguments:
        input = UpdateTeamInput(required=True)

    @classmethod
    def perform(cls, info, actor, slug, **changes):
        team = by_slug(info, Team, slug, "slug")
        if "parent" in changes:
            changes["parent"] = by_slug(info, Team, changes["parent"], "parent")
        return {"team": actions.update_team(team, actor=actor, via=VIA, **changes)}


class AddTeamMember(ActionMutation):
    membership = graphene.Field(MembershipType)
    error_fields = {"user": "username"}

    class Arguments:
        input = AddTeamMemberInput(required=True)

    @classmethod
    def perform(cls, info, actor, team, username, role):
        team, user = by_slug(info, Team, team, "team"), _user(username)
        membership = actions.add_member(team, user, role=role, actor=actor, via=VIA)
        return {"membership": membership}


class RemoveTeamMember(ActionMutation):
    team = graphene.Field(TeamType)
    error_fields = {"user": "username"}

    class Arguments:
        input = MemberInput(required=True)

    @classmethod
    def perform(cls, info, actor, team, username):
        team = by_slug(info, Team, team, "team")
        actions.remove_member(team, _user(username), actor=actor, via=VIA)
        return {"team": team}


class ChangeTeamMemberRole(ActionMutation):
    membership = graphene.Field(MembershipType)
    error_fields = {"user": "username"}

    class Arguments:
        input = MemberRoleInput(required=True)

    @classmethod
    def perform(cls, info, actor, team, username, role):
        team, user = by_slug(info, Team, team, "team"), _user(username)
        membership = actions.change_role(team, user, role=role, actor=actor, via=VIA)
        return {"membership": membership}


class TeamsMutation(graphene.ObjectType):
    create_team = CreateTeam.Field()
    update_team = UpdateTeam.Field()
    add_team_member = AddTeamMember.Field()
    remove_team_member = RemoveTeamMember.Field()
    change_team_member_role = ChangeTeamMemberRole.Field()
