import graphene
from graphene_django import DjangoObjectType

from portal.graphql.queries import FilteredConnectionField
from portal.graphql.types import CountedConnection, RestrictedType, UserType, choices_enum
from teams.graphql.loaders import team_by_id
from teams.graphql.types import TeamType

from .. import exporting
from ..filters import ImportProblemFilterSet
from ..models import Entity, ImportProblem, ImportRun, Location
from . import loaders

LocationKind = choices_enum(Location.Type, "LocationType", "Where a location reads from.")
RunStatus = choices_enum(ImportRun.Status, "ImportRunStatus", "The state of an import run.")
RunTrigger = choices_enum(ImportRun.Trigger, "ImportRunTrigger", "What started an import run.")
ProblemLevel = choices_enum(ImportProblem.Level, "ImportProblemLevel", "How bad a problem is.")


class LocationNode(RestrictedType):
    type = graphene.Field(LocationKind, required=True)
    owner_team = graphene.Field(TeamType)
    created_by = graphene.Field(UserType)
    last_run = graphene.Field(lambda: ImportRunNode, description="Its latest import run.")

    class Meta:
        model = Location
        name = "Location"
        fields = (
            "slug", "name", "description", "type", "target", "entry", "ref", "owner_team",
            "remove_orphans", "created_by", "created_at", "updated_at",
        )  # fmt: skip
        connection_class = CountedConnection
        use_connection = True

    @staticmethod
    def resolve_owner_team(root, info):
        return team_by_id.load(info, root, "owner_team_id")

    @staticmethod
    def resolve_created_by(root, info):
        return loaders.user_by_id.load(info, root, "created_by_id")

    @staticmethod
    def resolve_last_run(root, info):
        return loaders.last_run_of_location.load(info, root)


class ImportProblemNode(DjangoObjectType):
    level = graphene.Field(ProblemLevel, required=True)

    class Meta:
        model = ImportProblem
        name = "ImportProblem"
        fields = ("level", "source", "document", "line", "ref", "message")
        connection_class = CountedConnection
        use_connection = True


class ImportRunNode(RestrictedType):
    number = graphene.Int(required=True, description="The run's id, as in its URL.")
    location = graphene.Field(LocationNode, required=True)
    status = graphene.Field(RunStatus, required=True)
    trigger = graphene.Field(RunTrigger, required=True)
    started_by = graphene.Field(UserType)
    problems = FilteredConnectionField(ImportProblemNode, filterset_class=ImportProblemFilterSet)

    class Meta:
        model = ImportRun
        name = "ImportRun"
        fields = (
            "location", "status", "trigger", "step", "message", "commit", "started_by",
            "created_at", "started_at", "finished_at", "files", "read", "created", "updated",
            "unchanged", "orphaned", "removed", "refused",
        )  # fmt: skip
        connection_class = CountedConnection
        use_connection = True

    @staticmethod
    def resolve_number(root, info):
        return root.pk

    @staticmethod
    def resolve_location(root, info):
        return loaders.location_by_id.load(info, root, "location_id")

    @staticmethod
    def resolve_started_by(root, info):
        return loaders.user_by_id.load(info, root, "started_by_id")


class EntityTarget(graphene.ObjectType):
    type = graphene.String(required=True, description="service, team, api, system, user…")
    name = graphene.String(required=True, description="Its slug (a username for a user).")
    url = graphene.String(description="Its page, where it has one.")


class EntityNode(RestrictedType):
    location = graphene.Field(LocationNode)
    owner_team = graphene.Field(TeamType)
    # Named after the column it reads, so that a page of entities reads that column.
    orphaned_at = graphene.Boolean(
        required=True, name="orphaned", description="Its location no longer declares it."
    )
    descriptor = graphene.JSONString(required=True)
    target = graphene.Field(EntityTarget, description="The catalog object it became.")

    class Meta:
        model = Entity
        name = "Entity"
        fields = (
            "ref", "kind", "namespace", "name", "location", "source", "document", "owner_team",
            "orphaned_at", "descriptor", "created_at", "updated_at",
        )  # fmt: skip
        connection_class = CountedConnection
        use_connection = True

    @staticmethod
    def resolve_location(root, info):
        return loaders.location_by_id.load(info, root, "location_id")

    @staticmethod
    def resolve_owner_team(root, info):
        return team_by_id.load(info, root, "owner_team_id")

    @staticmethod
    def resolve_descriptor(root, info):
        return exporting.shown(root.descriptor)

    @staticmethod
    def resolve_orphaned_at(root, info):
        return root.orphaned_at is not None

    @staticmethod
    def resolve_target(root, info):
        return loaders.target_of_entity.load(info, root)
