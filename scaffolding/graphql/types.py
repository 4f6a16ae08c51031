import graphene
from graphene_django import DjangoObjectType

from catalog.graphql.types import ServiceType
from portal.graphql.types import RestrictedType, choices_enum
from teams.graphql.types import TeamType

from ..models import Pipeline, PipelineStage, ScaffoldLogEntry, ScaffoldRun, ScaffoldStep

RunStatus = choices_enum(ScaffoldRun.Status, "ScaffoldRunStatus", "The state of a scaffold run.")
StepStatus = choices_enum(ScaffoldStep.Status, "ScaffoldStepStatus", "The state of one step.")
StageOutcome = choices_enum(
    PipelineStage.Outcome, "PipelineStageOutcome", "What happens after a stage."
)


class ServiceTemplateType(graphene.ObjectType):
    class Meta:
        name = "ServiceTemplate"

    slug = graphene.String(required=True)
    title = graphene.String(required=True)
    description = graphene.String(required=True)
    version = graphene.String(required=True)
    kind = graphene.String(required=True)
    language = graphene.String(required=True)
    framework = graphene.String(required=True)
    parameters_schema = graphene.JSONString(
        required=True, description="JSON Schema of the parameters, with your choices filled in."
    )


class ScaffoldStepType(DjangoObjectType):
    status = graphene.Field(StepStatus, required=True)
    label = graphene.String(required=True)
    duration_seconds = graphene.Float()

    class Meta:
        model = ScaffoldStep
        name = "ScaffoldStep"
        fields = ("name", "label", "status", "started_at", "finished_at", "duration_seconds")


class ScaffoldLogEntryType(DjangoObjectType):
    class Meta:
        model = ScaffoldLogEntry
        name = "ScaffoldLogEntry"
        fields = ("created_at", "step", "level", "message")


class PipelineStageType(DjangoObjectType):
    on_success = graphene.Field(StageOutcome, required=True)
    on_failure = graphene.Field(StageOutcome, required=True)
    steps = graphene.List(graphene.NonNull(graphene.String), required=True)

    class Meta:
        model = PipelineStage
        name = "PipelineStage"
        fields = ("position", "name", "environment", "steps", "on_success", "on_failure")


class PipelineType(RestrictedType):
    owner_team = graphene.Field(TeamType, required=True)
    service = graphene.Field(ServiceType)
    stages = graphene.List(graphene.NonNull(PipelineStageType), required=True)
    ci_files = graphene.List(graphene.NonNull(graphene.String), required=True)

    class Meta:
        model = Pipeline
        name = "Pipeline"
        fields = (
            "slug", "owner_team", "service", "repository_url", "ci_url", "definition_path",
            "ci_files", "stages", "created_at",
        )  # fmt: skip

    @staticmethod
    def resolve_stages(root, info):
        return root.stages.all()


class RunNextStepType(graphene.ObjectType):
    class Meta:
        name = "ScaffoldRunNextStep"

    kind = graphene.String(required=True, description="service, clone or pipeline.")
    label = graphene.String(required=True)
    url = graphene.String(required=True)


class ScaffoldRunType(RestrictedType):
    # Status, steps, log and next steps come from the run's one view (``run.progress``),
    # which the run page and REST show too.

    uuid = graphene.UUID(required=True, description="The run's public id (as in its URL).")
    status = graphene.Field(RunStatus, required=True)
    owner_team = graphene.Field(TeamType, required=True)
    requested_by = graphene.String(description="The username of whoever asked.")
    parameters = graphene.JSONString(required=True)
    service = graphene.Field(ServiceType)
    pipeline = graphene.Field(PipelineType)
    steps = graphene.List(graphene.NonNull(ScaffoldStepType), required=True)
    log = graphene.List(graphene.NonNull(ScaffoldLogEntryType), required=True)
    next_steps = graphene.List(
        graphene.NonNull(RunNextStepType),
        required=True,
        description="Once it succeeded: open the service, clone it, see its pipeline.",
    )

    class Meta:
        model = ScaffoldRun
        name = "ScaffoldRun"
        fields = (
            "uuid", "slug", "template", "template_version", "parameters", "owner_team", "status",
            "current_step", "error", "attempts", "repository_url", "commit_sha", "service",
            "started_at", "finished_at", "created_at",
        )  # fmt: skip

    @staticmethod
    def resolve_requested_by(root, info):
        return root.requested_by.get_username() if root.requested_by_id else None

    @staticmethod
    def resolve_pipeline(root, info):
        try:
            return root.pipeline  # loaded by with_related()
        except Pipeline.DoesNotExist:
            return None

    @staticmethod
    def resolve_status(root, info):
        return root.progress.status

    @staticmethod
    def resolve_steps(root, info):
        return root.progress.steps

    @staticmethod
    def resolve_log(root, info):
        return root.progress.log

    @staticmethod
    def resolve_next_steps(root, info):
        return root.progress.next_steps
