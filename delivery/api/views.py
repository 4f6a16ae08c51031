"""REST of what Keel enforces on delivery (can-promote, approvals, policy violations, the
pipeline's events secret) and what it measures (DORA figures). Writes go through
``delivery.actions``."""

import csv
import io

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.pagination import Pagination
from portal.lookups import with_slug
from portal.models import Interface
from portal.permissions import restrict
from scaffolding.models import Pipeline

from .. import actions, dora, policy
from ..models import PolicyViolation

_PIPELINE = OpenApiParameter(
    "slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The pipeline."
)


def _pipeline(request, slug) -> Pipeline:
    return get_object_or_404(
        with_slug(restrict(Pipeline.objects.select_related("service"), request.user), slug)
    )


class VerdictSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class CanPromoteQuerySerializer(serializers.Serializer):
    artifact = serializers.CharField(max_length=80, help_text="The artifact's sha256 digest.")
    environment = serializers.CharField(max_length=50, default=policy.PRODUCTION)


class CanPromoteView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[_PIPELINE, CanPromoteQuerySerializer], responses=VerdictSerializer)
    def get(self, request, slug):
        """May this artifact be deployed into this environment? ``allowed`` with the reasons
        that stop it: stages not passed by a run of this pipeline, a bake whose verdict is
        not ``passed``, a missing approval, a breaking API version waiting for consumers."""
        pipeline = _pipeline(request, slug)
        query = CanPromoteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        verdict = policy.can_promote(pipeline, digest=query.validated_data["artifact"],
                                     environment=query.validated_data["environment"])  # fmt: skip
        return Response({"allowed": verdict.allowed, "reasons": verdict.reasons})


class ApproveSerializer(serializers.Serializer):
    artifact = serializers.CharField(max_length=80, help_text="The artifact's sha256 digest.")
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ApprovalSerializer(serializers.Serializer):
    environment = serializers.CharField(source="environment.name")
    artifact = serializers.CharField(source="artifact_digest")
    approver = serializers.CharField(source="approver.username")
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class ApprovalsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[_PIPELINE, OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH)],
        request=ApproveSerializer,
        responses={201: ApprovalSerializer},
    )
    def post(self, request, slug, name):
        """Approve an artifact for this environment (members of the owning team, or staff).
        It deploys nothing itself: the next promotion of that artifact finds it."""
        data = ApproveSerializer(data=request.data)  # the body first: bad input is a 400
        data.is_valid(raise_exception=True)
        pipeline = _pipeline(request, slug)
        approval = actions.approve(
            pipeline, environment=name, digest=data.validated_data["artifact"],
            comment=data.validated_data["comment"], actor=request.user, via=Interface.API,
        )  # fmt: skip
        return Response(ApprovalSerializer(approval).data, status=status.HTTP_201_CREATED)


class ViolationSerializer(serializers.ModelSerializer):
    environment = serializers.CharField(source="environment.name")
    artifact = serializers.CharField(source="artifact_digest")
    deployment = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = PolicyViolation
        fields = [
            "id",
            "environment",
            "artifact",
            "deployment",
            "reasons",
            "event_id",
            "created_at",
        ]
        read_only_fields = fields


class ViolationsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[_PIPELINE], responses=ViolationSerializer(many=True))
    def get(self, request, slug):
        """Deployments of this pipeline Keel refused, newest first, with the reasons."""
        pipeline = _pipeline(request, slug)
        paginator = Pagination()
        rows = PolicyViolation.objects.filter(pipeline=pipeline).select_related("environment")
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(ViolationSerializer(page, many=True).data)


class EventSecretSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="Shown this once: store it as KEEL_EVENTS_SECRET.")
    pipeline = serializers.CharField(help_text="What the X-Keel-Pipeline header names.")


class EventSecretView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[_PIPELINE], request=None, responses={201: EventSecretSerializer})
    def post(self, request, slug):
        """Make (or rotate) the secret external systems sign this pipeline's CDEvents with;
        the old one stops verifying at once. Members of the owning team, or staff."""
        pipeline = _pipeline(request, slug)
        secret = actions.rotate_event_secret(pipeline, actor=request.user, via=Interface.API)
        return Response(
            {"secret": secret, "pipeline": pipeline.slug}, status=status.HTTP_201_CREATED
        )


class DoraCSVRenderer(BaseRenderer):
    """The figures' daily rows as CSV (``?format=csv``); an error stays JSON."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if not isinstance(data, dict) or "daily" not in data:
            response = (renderer_context or {}).get("response")
            if response is not None:
                response["Content-Type"] = "application/json"
            return JSONRenderer().render(data)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(dora.CSV_COLUMNS)
        for day in data["daily"]:
            writer.writerow([day[column] for column in dora.CSV_COLUMNS])
        return out.getvalue()


class _JsonOrCsv(DefaultContentNegotiation):
    """``?format=`` other than json or csv is a 400 field error (DRF would answer 404)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        wanted = format_suffix or request.query_params.get("format")
        if wanted and wanted not in {renderer.format for renderer in renderers}:
            raise ValidationError({"format": "json or csv."})
        return super().select_renderer(request, renderers, format_suffix)


class DoraQuerySerializer(serializers.Serializer):
    service = serializers.CharField(max_length=100, required=False)
    team = serializers.CharField(max_length=100, required=False)
    days = serializers.IntegerField(default=30, help_text="The window, in days.")


class DoraView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, DoraCSVRenderer]
    content_negotiation_class = _JsonOrCsv

    @extend_schema(parameters=[DoraQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        """DORA figures of production over the last ``days`` days, for a service, a team or
        (neither) the organisation: deployment frequency, lead time for changes, change failure
        rate, failed-deployment recovery time, failed deployments, what the bakes watched
        (`operations`), and the daily series
        (``?format=csv``: the series as CSV)."""
        query = DoraQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        found = dora.scope(service=data.get("service"), team=data.get("team"), user=request.user)
        figures = dora.figures(days=dora.window(data["days"]), **found)
        answer = {
            "service": found["service"].slug if "service" in found else None,
            "team": found["team"].slug if "team" in found else None,
            **figures.as_dict(),
        }
        response = Response(answer)
        if request.accepted_renderer.format == "csv":
            response["Content-Disposition"] = 'attachment; filename="dora.csv"'
        return response
