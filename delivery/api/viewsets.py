"""REST for pipeline runs: a pipeline's runs (list, start one) and each run with its
stages' logs; a pipeline's environments (what runs where, roll one back) and its deployment
history. Writes go through ``delivery.actions``."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.viewsets import BaseViewSet, NestedViewSetMixin, _known_id
from scaffolding.models import Pipeline

from .. import actions
from ..filters import DeploymentFilterSet, PipelineRunFilterSet
from ..models import Deployment, Environment, PipelineRun
from .serializers import (
    DeploymentSerializer,
    EnvironmentSerializer,
    PipelineRunDetailSerializer,
    PipelineRunSerializer,
    StartRunSerializer,
)


@extend_schema(
    parameters=[OpenApiParameter("pipeline_slug", OpenApiTypes.STR, OpenApiParameter.PATH)]
)
class PipelineRunsViewSet(
    NestedViewSetMixin, BaseViewSet, mixins.ListModelMixin, mixins.CreateModelMixin
):
    """The runs of one pipeline, newest first. POST starts a run (of the head of main, or
    of ``commit``): members of the owning team, or staff; answers 202 with the run."""

    queryset = PipelineRun.objects.with_related()
    serializer_class = PipelineRunSerializer
    filterset_class = PipelineRunFilterSet
    parent_queryset = Pipeline.objects.all()
    parent_url_kwarg = "pipeline_slug"
    parent_field = "pipeline"

    @extend_schema(request=StartRunSerializer, responses={202: PipelineRunDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated(StartRunSerializer, request.data)
        run = actions.start_run(self.parent, **self.acting, commit=data.get("commit") or None)
        return Response(
            PipelineRunDetailSerializer(self.reloaded(run)).data, status=status.HTTP_202_ACCEPTED
        )


class RunViewSet(BaseViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Every pipeline's runs; one run with its stages' logs and its artifact's provenance."""

    queryset = PipelineRun.objects.with_related()
    serializer_class = PipelineRunSerializer
    filterset_class = PipelineRunFilterSet
    lookup_field = "id"
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        return PipelineRunDetailSerializer if self.action == "retrieve" else PipelineRunSerializer

    def get_object(self):
        _known_id(self.kwargs["id"])
        return super().get_object()


PIPELINE_SLUG = OpenApiParameter("pipeline_slug", OpenApiTypes.STR, OpenApiParameter.PATH)


@extend_schema(parameters=[PIPELINE_SLUG])
class PipelineDeploymentsViewSet(NestedViewSetMixin, BaseViewSet, mixins.ListModelMixin):
    """A pipeline's deployment history, newest first; ``?environment=<name>`` for one."""

    queryset = Deployment.objects.with_related()
    serializer_class = DeploymentSerializer
    filterset_class = DeploymentFilterSet
    parent_queryset = Pipeline.objects.all()
    parent_url_kwarg = "pipeline_slug"
    parent_field = "environment__pipeline"


@extend_schema(parameters=[PIPELINE_SLUG])
class PipelineEnvironmentsViewSet(
    NestedViewSetMixin, BaseViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin
):
    """A pipeline's environments with the release running in each. POST
    ``<name>/rollback/`` deploys the previous good release again (members of the owning
    team, or staff) and answers 201 with the rollback deployment."""

    queryset = Environment.objects.select_related(
        "pipeline__owner_team", "current__environment__pipeline", "current__run",
        "current__actor",
    )  # fmt: skip
    serializer_class = EnvironmentSerializer
    pagination_class = None  # a pipeline has a handful
    parent_queryset = Pipeline.objects.all()
    parent_url_kwarg = "pipeline_slug"
    parent_field = "pipeline"
    lookup_field = "name"
    lookup_value_regex = "[^/]{1,50}"

    @extend_schema(request=None, responses={201: DeploymentSerializer})
    @action(detail=True, methods=["post"])
    def rollback(self, request, *args, **kwargs):
        deployment = actions.rollback(self.get_object(), **self.acting)
        reloaded = Deployment.objects.with_related().get(pk=deployment.pk)
        return Response(DeploymentSerializer(reloaded).data, status=status.HTTP_201_CREATED)
