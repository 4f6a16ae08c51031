"""REST for the signed-in person's inbox: the notifications of their teams, the unread
count, marking read. Another team's notifications are not found."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import actions
from ..filters import NotificationFilterSet
from ..querysets import inbox_of
from .serializers import (
    MarkedSerializer,
    MarkReadSerializer,
    NotificationSerializer,
    UnreadCountSerializer,
)


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet

    def get_queryset(self):
        return inbox_of(self.request.user)

    @extend_schema(responses=UnreadCountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": actions.unread(request.user).count()})

    @extend_schema(request=MarkReadSerializer, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = actions.mark_read(request.user, ids=serializer.validated_data.get("ids"))
        return Response({"marked": marked, "unread": actions.unread(request.user).count()})
