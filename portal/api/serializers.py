from rest_framework import serializers

from portal.models import ChangeRecord


class ChangeRecordSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name", read_only=True)
    changed_fields = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ChangeRecord
        fields = [
            "id",
            "actor",
            "interface",
            "action",
            "object_repr",
            "created_at",
            "before",
            "after",
            "changed_fields",
            "request_id",
        ]
        read_only_fields = fields


class StateSerializer(serializers.Serializer):
    """An object as it was at a moment, from its change history."""

    at = serializers.DateTimeField()
    exists = serializers.BooleanField(help_text="False when the object had been deleted by then.")
    state = serializers.JSONField(help_text="Its fields then (the last ones, if deleted).")
    record = ChangeRecordSerializer(help_text="The change that left it so.")


def by_slug(queryset=None, **kwargs) -> serializers.SlugRelatedField:
    """A related object named by its slug, in requests and responses; an unknown slug is a
    field error."""
    if queryset is None:
        kwargs.setdefault("read_only", True)
    return serializers.SlugRelatedField(slug_field="slug", queryset=queryset, **kwargs)
