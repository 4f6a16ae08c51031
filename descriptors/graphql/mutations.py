import graphene

from portal.graphql.mutations import VIA, ActionMutation, by_slug
from teams.models import Team

from .. import actions
from ..models import ImportRun, Location
from .types import ImportRunNode, LocationKind, LocationNode


class CreateLocationInput(graphene.InputObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    type = graphene.Field(LocationKind, required=True)
    description = graphene.String()
    target = graphene.String(description="A clone URL (git), a path (staff) or an organisation.")
    entry = graphene.String(description="The descriptor to start from (catalog-info.yaml).")
    ref = graphene.String(description="Branch or tag (git).")
    content = graphene.String(description="The descriptor file's text (upload).")
    owner_team = graphene.String(description="Slug of the owning team; none: staff's.")
    remove_orphans = graphene.Boolean()


class CreateLocation(ActionMutation):
    location = graphene.Field(LocationNode)
    nullable = {"owner_team"}

    class Arguments:
        input = CreateLocationInput(required=True)

    @classmethod
    def perform(cls, info, actor, type, owner_team=None, **fields):
        location = actions.create_location(
            actor=actor,
            via=VIA,
            type=getattr(type, "value", type),
            owner_team=by_slug(info, Team, owner_team, "owner_team"),
            **fields,
        )
        return {"location": location}


class StartImportInput(graphene.InputObjectType):
    location = graphene.String(required=True, description="Slug of the location to read.")


class StartImport(ActionMutation):
    """Read a location now; poll ``importRun(number)`` while it is not finished."""

    run = graphene.Field(ImportRunNode)

    class Arguments:
        input = StartImportInput(required=True)

    @classmethod
    def perform(cls, info, actor, location):
        found = by_slug(info, Location, location, "location")
        run = actions.start_import(found, actor=actor, via=VIA, trigger=ImportRun.Trigger.MANUAL)
        return {"run": run}


class DescriptorsMutation(graphene.ObjectType):
    create_location = CreateLocation.Field()
    start_import = StartImport.Field()
