"""``GET /api/v1/search/?q=``: the portal's search box as JSON, ranked the same way."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.filters import MAX_QUERY_LENGTH
from portal.search import KIND_ORDER, PER_KIND, search


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=MAX_QUERY_LENGTH, help_text="Words to look for.")
    kind = serializers.MultipleChoiceField(
        choices=sorted(KIND_ORDER, key=KIND_ORDER.get),
        required=False,
        help_text="Only these kinds (repeat the parameter for several).",
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=PER_KIND,
        default=PER_KIND,
        help_text="At most this many of each kind.",
    )


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField(help_text="The kind as the pages name it.")
    slug = serializers.CharField(source="obj.slug", help_text="A person's username.")
    name = serializers.CharField()
    description = serializers.CharField()
    url = serializers.CharField(help_text="The object's page.")
    rank = serializers.FloatField()


class SearchView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[SearchQuerySerializer],
        responses=SearchHitSerializer(many=True),
        summary="Search the catalog",
        description=(
            "Services, APIs, teams, people, systems, business domains, data domains and "
            "resources the caller may see, best first: the search box of the pages."
        ),
    )
    def get(self, request):
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        hits = search(
            query.validated_data["q"],
            request.user,
            per_kind=query.validated_data["limit"],
            kinds=query.validated_data.get("kind"),
        )
        return Response(SearchHitSerializer(hits, many=True).data)
