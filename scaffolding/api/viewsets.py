"""REST for self-service: the shipped templates, scaffold runs (submit, watch, retry) and the
pipelines they created. Writes go through ``scaffolding.actions``."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from portal.api.idempotency import CONFLICT, idempotent
from portal.api.idempotency import PARAMETER as IDEMPOTENCY_KEY
from portal.api.viewsets import BaseViewSet
from portal.models import Interface

from .. import actions
from ..filters import PipelineFilterSet, ScaffoldRunFilterSet
from ..models import Pipeline, ScaffoldRun
from ..registry import all_templates, get_template
from .serializers import (
    PipelineSerializer,
    ScaffoldRequestSerializer,
    ScaffoldRunSerializer,
    TemplateSerializer,
)


def _template_data(template, user):
    return {
        "slug": template.slug,
        "title": template.title,
        "description": template.description,
        "version": template.version,
        "kind": template.kind,
        "language": template.language,
        "framework": template.framework,
        "provides_api": template.provides_api,
        "parameters_schema": template.schema_for(actions.teams_for(user), actions.domain_choices()),
    }


class TemplateViewSet(viewsets.ViewSet):
    """The project templates shipped with the portal, with their parameters' JSON Schema."""

    lookup_field = "slug"
    serializer_class = TemplateSerializer

    @extend_schema(responses=TemplateSerializer(many=True))
    def list(self, request):
        data = [_template_data(t, request.user) for t in all_templates()]
        return Response(TemplateSerializer(data, many=True).data)

    @extend_schema(
        responses=TemplateSerializer,
        parameters=[OpenApiParameter("slug", str, OpenApiParameter.PATH)],
    )
    def retrieve(self, request, slug=None):
        template = get_template(slug)
        if template is None:
            raise NotFound("No such template.")
        return Response(TemplateSerializer(_template_data(template, request.user)).data)


class ScaffoldRunViewSet(
    BaseViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    """Runs that create services. POST ``{"template": ..., "parameters": {...}}`` to start
    one (202, with the run to poll); a failed run can be started again with ``retry``."""

    queryset = ScaffoldRun.objects.with_related()
    serializer_class = ScaffoldRunSerializer
    filterset_class = ScaffoldRunFilterSet
    lookup_field = "uuid"

    @extend_schema(
        request=ScaffoldRequestSerializer,
        responses={202: ScaffoldRunSerializer, 409: CONFLICT},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        data = self.validated(ScaffoldRequestSerializer, request.data)
        run = actions.request_scaffold(
            actor=request.user,
            via=Interface.API,
            template=data["template"],
            parameters=data["parameters"],
        )
        return Response(
            self.get_serializer(self.reloaded(run)).data, status=status.HTTP_202_ACCEPTED
        )

    @extend_schema(request=None, responses={202: ScaffoldRunSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, **kwargs):
        """Start a failed run again (a new run with the same parameters)."""
        run = actions.retry_scaffold(self.get_object(), actor=request.user, via=Interface.API)
        return Response(
            self.get_serializer(self.reloaded(run)).data, status=status.HTTP_202_ACCEPTED
        )


class PipelineViewSet(BaseViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Delivery pipelines created by scaffold runs, with their stages and rules."""

    queryset = Pipeline.objects.with_related()
    serializer_class = PipelineSerializer
    filterset_class = PipelineFilterSet
    lookup_field = "slug"
