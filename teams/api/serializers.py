from django.contrib.auth import get_user_model
from rest_framework import serializers

from portal.api.serializers import SlugReferenceField, by_slug
from teams.models import Membership, Team


class MembershipSerializer(serializers.ModelSerializer):
    user = SlugReferenceField(slug_field="username", queryset=get_user_model().objects.all())

    class Meta:
        model = Membership
        fields = ["user", "role", "created_at"]
        read_only_fields = ["created_at"]
        validators = []  # uniqueness and the team size limit are the action's to state


class TeamSerializer(serializers.ModelSerializer):
    parent = by_slug(Team.objects.all(), allow_null=True, required=False)
    members = MembershipSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Team
        fields = [
            "slug",
            "name",
            "description",
            "parent",
            "chat_channel",
            "email",
            "oncall_url",
            "members",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
