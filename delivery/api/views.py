"""REST of what Keel enforces on delivery: can-promote, approvals, policy violations, and the
pipeline's events secret. Writes go through ``delivery.actions``."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.pagination import Pagination
from portal.lookups import with_slug
from portal.models import Interface
from portal.permissions import restrict
from scaffolding.models import Pipeline

from .. import actions, policy
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
        pipeline = _pipeline(request, slug)
        data = ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
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
