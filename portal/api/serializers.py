from rest_framework import serializers

from portal.models import ChangeRecord
from portal.names import name_problem, validate_name


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
        ]
        read_only_fields = fields


def by_slug(queryset=None, **kwargs) -> serializers.SlugRelatedField:
    """A related object named by its slug, in requests and responses; an unknown slug is a
    field error."""
    if queryset is None:
        kwargs.setdefault("read_only", True)
    return serializers.SlugRelatedField(slug_field="slug", queryset=queryset, **kwargs)


class NameField(serializers.CharField):
    """A slug as it was sent: never trimmed, never a number turned into text, checked by the
    one name rule (``portal/names.py``) so REST refuses what forms and GraphQL refuse."""

    def __init__(self, **kwargs):
        super().__init__(trim_whitespace=False, validators=[validate_name], **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError(name_problem(data), code="invalid_slug")
        return data
