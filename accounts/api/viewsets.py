"""REST for a person's own API tokens: list, create (the key is in that response only),
read, revoke. Writes go through ``accounts.actions``; other people's tokens are not found."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from portal.models import Interface

from .. import actions
from ..models import ApiToken
from .permissions import SessionForTokenChanges, TokenScope
from .serializers import ApiTokenSerializer, NewApiTokenSerializer


class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ApiTokenSerializer
    permission_classes = [IsAuthenticated, TokenScope, SessionForTokenChanges]
    lookup_field = "prefix"
    lookup_value_regex = r"[^/]+"
    filter_backends: list = []

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user)

    @extend_schema(request=ApiTokenSerializer, responses={201: NewApiTokenSerializer})
    def create(self, request):
        serializer = ApiTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = actions.create_token(
            actor=request.user, via=Interface.API, user=request.user, **serializer.validated_data
        )
        return Response(NewApiTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        actions.revoke_token(instance, actor=self.request.user, via=Interface.API)
