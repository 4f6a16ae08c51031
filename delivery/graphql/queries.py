import graphene

from portal.graphql.queries import FilteredConnectionField
from portal.permissions import restrict

from ..filters import DeploymentFilterSet, PipelineRunFilterSet
from ..models import Environment, PipelineRun
from .types import DeploymentNode, EnvironmentType, PipelineRunNode, add_runs_to_pipeline_type

add_runs_to_pipeline_type()


class DeliveryQuery(graphene.ObjectType):
    pipeline_runs = FilteredConnectionField(PipelineRunNode, filterset_class=PipelineRunFilterSet)
    pipeline_run = graphene.Field(
        PipelineRunNode, run_id=graphene.Int(required=True, description="The run's id.")
    )

    deployments = FilteredConnectionField(
        DeploymentNode,
        filterset_class=DeploymentFilterSet,
        description="Deployment history, newest first (filter by pipeline and environment).",
    )
    environments = graphene.List(
        graphene.NonNull(EnvironmentType),
        required=True,
        pipeline=graphene.String(required=True, description="The pipeline's slug."),
        description="A pipeline's environments and the release serving in each.",
    )

    @staticmethod
    def resolve_environments(root, info, pipeline):
        return list(
            restrict(Environment.objects.all(), info.context.user)
            .filter(pipeline__slug__iexact=pipeline[:100])
            .order_by("position")
        )

    @staticmethod
    def resolve_pipeline_run(root, info, run_id):
        return restrict(PipelineRun.objects.all(), info.context.user).filter(pk=run_id).first()
