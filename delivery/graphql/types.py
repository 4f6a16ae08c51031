import graphene
from graphene_django import DjangoObjectType

from portal.graphql.queries import FilteredConnectionField
from portal.graphql.types import CountedConnection, RestrictedType, UserType, choices_enum
from scaffolding.graphql.types import PipelineType

from ..filters import PipelineRunFilterSet
from ..models import Artifact, Deployment, Environment, PipelineRun, StageRun
from . import loaders

RunStatus = choices_enum(PipelineRun.Status, "PipelineRunStatus", "The state of a pipeline run.")
RunTrigger = choices_enum(PipelineRun.Trigger, "PipelineRunTrigger", "What started a run.")
StageStatus = choices_enum(StageRun.Status, "StageRunStatus", "The state of one stage of a run.")
DeploymentStatus = choices_enum(
    Deployment.Status, "DeploymentStatus", "The state of one release in one environment."
)
DeploymentKind = choices_enum(Deployment.Kind, "DeploymentKind", "A deployment or a rollback.")


class PromotionVerdict(graphene.ObjectType):
    allowed = graphene.Boolean(required=True)
    reasons = graphene.List(graphene.NonNull(graphene.String), required=True)


class DoraDay(graphene.ObjectType):
    date = graphene.Date(required=True)
    deployments = graphene.Int(required=True)
    failed = graphene.Int(required=True)


class DoraOperations(graphene.ObjectType):
    """What the window's bakes watched on the staging releases (``delivery.dora.Operations``)."""

    bakes = graphene.Int(required=True)
    stopped = graphene.Int(required=True, description="Bakes that stopped their release.")
    requests = graphene.Int(required=True)
    errors = graphene.Int(required=True, description="5xx answers.")
    throttled = graphene.Int(required=True, description="429 answers.")
    error_rate = graphene.Float()
    throttle_rate = graphene.Float()
    p99_ms_median = graphene.Float()
    p99_ms_max = graphene.Float()


class DoraFigures(graphene.ObjectType):
    """Production delivery over a window (``delivery.dora``); times in seconds, medians."""

    days = graphene.Int(required=True)
    since = graphene.DateTime(required=True)
    until = graphene.DateTime(required=True)
    deployments = graphene.Int(required=True)
    failed_deployments = graphene.Int(required=True)
    deployment_frequency_per_day = graphene.Float(required=True)
    lead_time_seconds = graphene.Float()
    lead_time_count = graphene.Int(required=True)
    change_failure_rate = graphene.Float()
    recovery_time_seconds = graphene.Float()
    recovered = graphene.Int(required=True)
    unrecovered = graphene.Int(required=True)
    daily = graphene.List(graphene.NonNull(DoraDay), required=True)
    operations = graphene.Field(DoraOperations, required=True)


class ApprovalType(graphene.ObjectType):
    environment = graphene.String(required=True)
    artifact_digest = graphene.String(required=True)
    approver = graphene.String(required=True)
    comment = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_environment(root, info):
        return root.environment.name

    @staticmethod
    def resolve_approver(root, info):
        return root.approver.username


class ArtifactType(DjangoObjectType):
    provenance = graphene.JSONString(
        required=True, description="Commit, builder, time and every dependency with its hash."
    )

    class Meta:
        model = Artifact
        name = "Artifact"
        fields = ("digest", "size", "path", "provenance", "created_at")


class StageRunType(DjangoObjectType):
    status = graphene.Field(StageStatus, required=True)
    duration_seconds = graphene.Float()
    result = graphene.JSONString(required=True)

    class Meta:
        model = StageRun
        name = "StageRun"
        fields = (
            "position", "name", "status", "attempts", "started_at", "finished_at",
            "duration_seconds", "log", "result",
        )  # fmt: skip


class PipelineRunNode(RestrictedType):
    run_id = graphene.Int(required=True, name="runId", description="The run's id (REST).")
    pipeline = graphene.Field(PipelineType, required=True)
    status = graphene.Field(RunStatus, required=True)
    trigger = graphene.Field(RunTrigger, required=True)
    started_by = graphene.Field(UserType)
    artifact = graphene.Field(ArtifactType)
    stages = graphene.List(graphene.NonNull(StageRunType), required=True)

    class Meta:
        model = PipelineRun
        name = "PipelineRun"
        fields = (
            "pipeline", "number", "trigger", "via", "commit_sha", "ref", "status", "message",
            "started_by", "artifact", "created_at", "started_at", "finished_at",
        )  # fmt: skip
        connection_class = CountedConnection
        use_connection = True

    @staticmethod
    def resolve_run_id(root, info):
        return root.pk

    @staticmethod
    def resolve_pipeline(root, info):
        return loaders.pipeline_by_id.load(info, root, "pipeline_id")

    @staticmethod
    def resolve_started_by(root, info):
        return loaders.user_by_id.load(info, root, "started_by_id")

    @staticmethod
    def resolve_artifact(root, info):
        return loaders.artifact_by_id.load(info, root, "artifact_id")

    @staticmethod
    def resolve_stages(root, info):
        return loaders.stages_of_run.load(info, root)


def add_runs_to_pipeline_type() -> None:
    """``Pipeline.runs``: scaffolding's type gains the field here, because scaffolding never
    imports delivery (the dependency points one way). Called once, before the schema is
    built (``delivery.graphql.queries``)."""
    if "runs" in PipelineType._meta.fields:
        return
    PipelineType._meta.fields["runs"] = FilteredConnectionField(
        PipelineRunNode,
        filterset_class=PipelineRunFilterSet,
        description="The pipeline's runs, newest first.",
        resolver=_runs_of_pipeline,
    )


def _runs_of_pipeline(root, info, **kwargs):
    # Not ``root.runs``: a related manager fills in each run's pipeline from its
    # ``pipeline_id``, a column the page may not read (a query per run).
    return PipelineRun.objects.filter(pipeline_id=root.pk)


class EnvironmentType(DjangoObjectType):
    target = graphene.String(required=True, description="embedded, command, webhook, external.")
    config = graphene.JSONString(required=True)
    current = graphene.Field(lambda: DeploymentNode, description="The release serving here.")

    class Meta:
        model = Environment
        name = "Environment"
        fields = ("name", "position", "target", "config", "requires_approval", "current")

    @staticmethod
    def resolve_current(root, info):
        return loaders.deployment_by_id.load(info, root, "current_id")


class DeploymentNode(RestrictedType):
    deployment_id = graphene.Int(required=True, description="The deployment's id (REST).")
    environment = graphene.Field(EnvironmentType, required=True)
    kind = graphene.Field(DeploymentKind, required=True)
    status = graphene.Field(DeploymentStatus, required=True)
    run = graphene.Field(PipelineRunNode, description="The run that deployed it, if one did.")
    actor = graphene.Field(UserType)
    details = graphene.JSONString(required=True)
    previous_id = graphene.Int(description="The deployment this one replaced.")

    class Meta:
        model = Deployment
        name = "Deployment"
        fields = (
            "environment", "kind", "status", "run", "artifact_digest", "commit_sha", "version",
            "url", "details", "message", "via", "actor", "created_at", "finished_at",
        )  # fmt: skip
        connection_class = CountedConnection
        use_connection = True

    @staticmethod
    def resolve_deployment_id(root, info):
        return root.pk

    @staticmethod
    def resolve_previous_id(root, info):
        return root.previous_id

    @staticmethod
    def resolve_environment(root, info):
        return loaders.environment_by_id.load(info, root, "environment_id")

    @staticmethod
    def resolve_run(root, info):
        return loaders.run_by_id.load(info, root, "run_id")

    @staticmethod
    def resolve_actor(root, info):
        return loaders.user_by_id.load(info, root, "actor_id")
