"""REST endpoints of contract governance: checks that publish nothing, and the gate's
actions (acknowledge, sunset, policy)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Api
from portal.lookups import with_slug
from portal.models import Interface
from portal.permissions import restrict

from .. import actions, checking
from ..diffing import compare
from ..models import BreakingRelease, ContractPolicy
from . import serializers as s

_API = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The API.")
_VERSION = OpenApiParameter(
    "version", OpenApiTypes.STR, OpenApiParameter.PATH, description="The breaking version."
)


def _api(request, slug) -> Api:
    return get_object_or_404(with_slug(restrict(Api.objects.all(), request.user), slug))


def _validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _acting(request) -> dict:
    return {"actor": request.user, "via": Interface.API}


class CheckView(APIView):
    # A check reads: a read-only token (what CI holds) may ask.
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[_API],
        request=s.CheckSerializer,
        responses=s.CheckResultSerializer,
        operation_id="apis_check",
    )
    def post(self, request, slug):
        """What publishing this specification as this version would do, without publishing:
        the diff against the version before, the semantic-version verdict, what it would be
        refused for, the consumers a breaking change affects, and whether it would become
        current. Answers 200 whatever the verdict; ``would_publish`` is the gate for CI."""
        data = _validated(s.CheckSerializer, request)
        api = _api(request, slug)
        return Response(checking.check(api, **data))


class CompareView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=s.CompareSerializer,
        responses=s.ComparisonSerializer,
        operation_id="contracts_compare",
    )
    def post(self, request):
        """The changes from ``base`` to ``revision``, two specifications of one type, without
        touching the catalog. A document the validator refuses is still compared where it can
        be read, its problems listed."""
        data = _validated(s.CompareSerializer, request)
        return Response(compare(data["type"], data["base"], data["revision"]).as_dict())


def _release(request, slug, version) -> BreakingRelease:
    api = _api(request, slug)
    return get_object_or_404(
        BreakingRelease.objects.select_related("api", "version"), api=api, version__version=version
    )


def _shown(release: BreakingRelease) -> dict:
    release = (
        BreakingRelease.objects.select_related("api", "version")
        .prefetch_related("impacts__consumption__consumer__owner_team", "impacts__acknowledged_by")
        .get(pk=release.pk)
    )
    return s.ReleaseSerializer(release).data


class ReleaseListView(APIView):
    @extend_schema(parameters=[_API], responses=s.ReleaseSerializer(many=True))
    def get(self, request, slug):
        """The API's breaking versions, newest first, each with its consumers and whether it
        is still waiting for them."""
        api = _api(request, slug)
        releases = (
            BreakingRelease.objects.filter(api=api)
            .select_related("api", "version")
            .prefetch_related(
                "impacts__consumption__consumer__owner_team", "impacts__acknowledged_by"
            )
        )
        return Response(s.ReleaseSerializer(releases, many=True).data)


class AcknowledgeView(APIView):
    @extend_schema(
        parameters=[_API, _VERSION], request=s.AcknowledgeSerializer, responses=s.ReleaseSerializer
    )
    def post(self, request, slug, version):
        """A consumer's team is ready for this breaking version (a member of the team that
        owns the consuming service). The last acknowledgement makes it current."""
        consumer = _validated(s.AcknowledgeSerializer, request)["consumer"]
        release = _release(request, slug, version)
        impact = release.impacts.filter(consumer_slug__iexact=consumer).first()
        if impact is None:
            raise serializers.ValidationError(
                {"consumer": [f"{consumer} is not a consumer this version waits for."]}
            )
        actions.acknowledge_breaking_version(impact, **_acting(request))
        return Response(_shown(release))


class SunsetView(APIView):
    @extend_schema(
        parameters=[_API, _VERSION], request=s.SunsetSerializer, responses=s.ReleaseSerializer
    )
    def post(self, request, slug, version):
        """The provider's team dates the end of the version line this one replaces, at least
        ``KEEL_CONTRACT_SUNSET_MIN_DAYS`` ahead; the breaking version becomes current."""
        sunset_on = _validated(s.SunsetSerializer, request)["sunset_on"]
        release = _release(request, slug, version)
        actions.set_sunset(release, sunset_on=sunset_on, **_acting(request))
        return Response(_shown(release))


class PolicySerializer(serializers.Serializer):
    semver = serializers.ChoiceField(choices=ContractPolicy.Semver.choices)


class PolicyView(APIView):
    @extend_schema(parameters=[_API], request=PolicySerializer, responses=PolicySerializer)
    def post(self, request, slug):
        """Enforce (refuse) or warn when a breaking change comes without a major version."""
        semver = _validated(PolicySerializer, request)["semver"]
        api = _api(request, slug)
        policy = actions.set_contract_policy(api, semver=semver, **_acting(request))
        return Response({"semver": policy.semver})
