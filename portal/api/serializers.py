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
        ]
        read_only_fields = fields


class SlugReferenceField(serializers.SlugRelatedField):
    """DRF reads ``""`` as ``null`` for a relation; a slug is never blank, so ``""`` is a
    field error and only ``null`` means "none"."""

    default_error_messages = {"blank": "This field may not be blank; send null for none."}

    def run_validation(self, data=serializers.empty):
        if data == "":
            self.fail("blank")
        return super().run_validation(data)


def by_slug(queryset=None, **kwargs) -> serializers.SlugRelatedField:
    """A related object named by its slug, in requests and responses; an unknown slug is a
    field error."""
    if queryset is None:
        kwargs.setdefault("read_only", True)
    return SlugReferenceField(slug_field="slug", queryset=queryset, **kwargs)
