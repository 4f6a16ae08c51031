import graphene

from portal.graphql.queries import FilteredConnectionField
from portal.permissions import restrict

from ..filters import PipelineRunFilterSet
from ..models import PipelineRun
from .types import PipelineRunNode, add_runs_to_pipeline_type

add_runs_to_pipeline_type()


class DeliveryQuery(graphene.ObjectType):
    pipeline_runs = FilteredConnectionField(PipelineRunNode, filterset_class=PipelineRunFilterSet)
    pipeline_run = graphene.Field(
        PipelineRunNode, run_id=graphene.Int(required=True, description="The run's id.")
    )

    @staticmethod
    def resolve_pipeline_run(root, info, run_id):
        return restrict(PipelineRun.objects.all(), info.context.user).filter(pk=run_id).first()
