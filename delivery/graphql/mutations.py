import graphene
from django.core.exceptions import ValidationError

from portal.graphql.mutations import VIA, ActionMutation, by_slug
from scaffolding.models import Pipeline

from .. import actions
from ..models import Environment
from .types import ApprovalType, DeploymentNode, PipelineRunNode


class StartPipelineRunInput(graphene.InputObjectType):
    pipeline = graphene.String(required=True, description="Slug of the pipeline to run.")
    commit = graphene.String(description="The commit to build; by default the head of main.")


class StartPipelineRun(ActionMutation):
    """Run a pipeline now; poll ``pipelineRun(runId)`` while it is not finished."""

    run = graphene.Field(PipelineRunNode)

    class Arguments:
        input = StartPipelineRunInput(required=True)

    @classmethod
    def perform(cls, info, actor, pipeline, commit=None):
        found = by_slug(info, Pipeline, pipeline, "pipeline")
        return {"run": actions.start_run(found, actor=actor, via=VIA, commit=commit or None)}


class RollbackEnvironmentInput(graphene.InputObjectType):
    pipeline = graphene.String(required=True, description="Slug of the pipeline.")
    environment = graphene.String(required=True, description="Name of the environment.")


class RollbackEnvironment(ActionMutation):
    """Deploy an environment's previous good release again (its team, or staff)."""

    deployment = graphene.Field(DeploymentNode)

    class Arguments:
        input = RollbackEnvironmentInput(required=True)

    @classmethod
    def perform(cls, info, actor, pipeline, environment):
        found = by_slug(info, Pipeline, pipeline, "pipeline")
        env = Environment.objects.filter(pipeline=found, name=environment[:50]).first()
        if env is None:
            raise ValidationError(
                {"environment": f"{found.slug} has no environment {environment[:50]!r}."}
            )
        return {"deployment": actions.rollback(env, actor=actor, via=VIA)}


class ApproveArtifactInput(graphene.InputObjectType):
    pipeline = graphene.String(required=True)
    environment = graphene.String(required=True)
    artifact = graphene.String(required=True, description="The artifact's sha256 digest.")
    comment = graphene.String()


class ApproveArtifact(ActionMutation):
    """Approve an artifact for an environment that asks for approvals; deploys nothing."""

    approval = graphene.Field(ApprovalType)
    error_fields = {"artifact_digest": "artifact"}

    class Arguments:
        input = ApproveArtifactInput(required=True)

    @classmethod
    def perform(cls, info, actor, pipeline, environment, artifact, comment=""):
        found = by_slug(info, Pipeline, pipeline, "pipeline")
        approval = actions.approve(found, environment=environment, digest=artifact,
                                   comment=comment or "", actor=actor, via=VIA)  # fmt: skip
        return {"approval": approval}


class RotateEventsSecretInput(graphene.InputObjectType):
    pipeline = graphene.String(required=True)


class RotateEventsSecret(ActionMutation):
    """A new secret for the pipeline's CDEvents, shown this once; the old one stops working."""

    secret = graphene.String()

    class Arguments:
        input = RotateEventsSecretInput(required=True)

    @classmethod
    def perform(cls, info, actor, pipeline):
        found = by_slug(info, Pipeline, pipeline, "pipeline")
        return {"secret": actions.rotate_event_secret(found, actor=actor, via=VIA)}


class DeliveryMutation(graphene.ObjectType):
    start_pipeline_run = StartPipelineRun.Field()
    rollback_environment = RollbackEnvironment.Field()
    approve_artifact = ApproveArtifact.Field()
    rotate_events_secret = RotateEventsSecret.Field()
