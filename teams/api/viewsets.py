from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets

from portal.api.viewsets import ActionViewSet, BaseViewSet, NestedViewSetMixin
from teams import actions
from teams.filters import TeamFilterSet
from teams.models import Membership, Team

from .serializers import MembershipSerializer, TeamSerializer


class TeamViewSet(ActionViewSet):
    queryset = Team.objects.with_related()
    serializer_class = TeamSerializer
    filterset_class = TeamFilterSet
    create_action = staticmethod(actions.create_team)
    update_action = staticmethod(actions.update_team)
    delete_action = staticmethod(actions.delete_team)


@extend_schema(parameters=[OpenApiParameter("team_slug", OpenApiTypes.STR, OpenApiParameter.PATH)])
class TeamMemberViewSet(NestedViewSetMixin, BaseViewSet, viewsets.ModelViewSet):
    """A team's members, addressed by username; only the team's leads (or staff) change them."""

    queryset = Membership.objects.with_related()
    serializer_class = MembershipSerializer
    parent_queryset = Team.objects.all()
    parent_url_kwarg = "team_slug"
    parent_field = "team"
    lookup_field = "user__username"
    lookup_url_kwarg = "username"
    lookup_value_regex = "[^/]+"
    filter_backends = []

    def perform_create(self, serializer):
        data = serializer.validated_data
        membership = actions.add_member(
            self.parent, data["user"], role=data.get("role", Membership.Role.MEMBER), **self.acting
        )
        serializer.instance = self.reloaded(membership)

    def perform_update(self, serializer):
        membership, data = serializer.instance, serializer.validated_data
        if data.get("user", membership.user) != membership.user:
            raise ValidationError(
                {"user": "A membership's user never changes: remove this member, add the other."}
            )
        if "role" not in data:
            raise ValidationError({"role": "Give the new role."})
        membership = actions.change_role(
            self.parent, membership.user, role=data["role"], **self.acting
        )
        serializer.instance = self.reloaded(membership)

    def perform_destroy(self, membership):
        actions.remove_member(self.parent, membership.user, **self.acting)
