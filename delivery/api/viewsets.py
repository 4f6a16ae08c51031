"""REST for pipeline runs: a pipeline's runs (list, start one) and each run with its
stages' logs. Writes go through ``delivery.actions``."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from portal.api.viewsets import BaseViewSet, NestedViewSetMixin, _known_id
from scaffolding.models import Pipeline

from .. import actions
from ..filters import PipelineRunFilterSet
from ..models import PipelineRun
from .serializers import PipelineRunDetailSerializer, PipelineRunSerializer, StartRunSerializer


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
