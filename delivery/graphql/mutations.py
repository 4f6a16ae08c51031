import graphene

from portal.graphql.mutations import VIA, ActionMutation, by_slug
from scaffolding.models import Pipeline

from .. import actions
from .types import PipelineRunNode


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


class DeliveryMutation(graphene.ObjectType):
    start_pipeline_run = StartPipelineRun.Field()
