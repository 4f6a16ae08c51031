import graphene
from django.core.exceptions import ValidationError
from graphql import GraphQLError

from portal.api.exceptions import validation_error_data
from portal.graphql.queries import FilteredConnectionField, one_by_slug
from portal.permissions import restrict
from scaffolding.models import Pipeline

from .. import dora, policy
from ..filters import DeploymentFilterSet, PipelineRunFilterSet
from ..models import Environment, PipelineRun
from .types import (
    DeploymentNode,
    DoraFigures,
    EnvironmentType,
    PipelineRunNode,
    PromotionVerdict,
    add_runs_to_pipeline_type,
)

add_runs_to_pipeline_type()


def _error(error: ValidationError) -> GraphQLError:
    return GraphQLError(
        "; ".join(f"{k}: {' '.join(v)}" for k, v in validation_error_data(error).items())
    )


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

    can_promote = graphene.Field(
        PromotionVerdict,
        pipeline=graphene.String(required=True),
        artifact=graphene.String(required=True, description="The artifact's sha256 digest."),
        environment=graphene.String(default_value=policy.PRODUCTION),
        description="May this artifact be deployed there? With the reasons that stop it.",
    )

    dora = graphene.Field(
        DoraFigures,
        service=graphene.String(),
        team=graphene.String(),
        days=graphene.Int(default_value=30),
        description="DORA figures of production for a service, a team or the organisation.",
    )

    @staticmethod
    def resolve_dora(root, info, days, service=None, team=None):
        try:
            found = dora.scope(service=service, team=team, user=info.context.user)
            return dora.figures(days=dora.window(days), **found)
        except ValidationError as error:
            raise _error(error) from None

    @staticmethod
    def resolve_can_promote(root, info, pipeline, artifact, environment):
        found = one_by_slug(info, Pipeline, pipeline)
        if found is None:
            raise GraphQLError(f"No pipeline has the slug {pipeline[:80]!r}.")
        try:
            return policy.can_promote(found, digest=artifact, environment=environment[:50])
        except ValidationError as error:
            raise _error(error) from None

    @staticmethod
    def resolve_pipeline_run(root, info, run_id):
        return restrict(PipelineRun.objects.all(), info.context.user).filter(pk=run_id).first()
