from rest_framework import serializers

from portal.lookups import user_named, with_slug
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
            "request_id",
        ]
        read_only_fields = fields


class SlugRelatedField(serializers.SlugRelatedField):
    """Resolves a slug as every interface does (``portal.lookups``): regardless of case.
    DRF reads ``""`` as ``null`` for a relation; a slug is never blank, so ``""`` is a field
    error and only ``null`` means "none"."""

    default_error_messages = {"blank": "This field may not be blank; send null for none."}

    def run_validation(self, data=serializers.empty):
        if data == "":
            self.fail("blank")
        return super().run_validation(data)

    def to_internal_value(self, data):
        found = with_slug(self.get_queryset(), data).first()
        if found is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:80])
        return found


class UsernameRelatedField(SlugRelatedField):
    """A user named by username, resolved as every interface does (``portal.lookups``)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="username", **kwargs)

    def to_internal_value(self, data):
        found = user_named(data, self.get_queryset())
        if found is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:80])
        return found


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
    return SlugRelatedField(slug_field="slug", queryset=queryset, **kwargs)


class NameField(serializers.CharField):
    """A slug as it was sent: never trimmed, never a number turned into text, checked by the
    one name rule (``portal/names.py``) so REST refuses what forms and GraphQL refuse."""

    def __init__(self, **kwargs):
        super().__init__(trim_whitespace=False, validators=[validate_name], **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError(name_problem(data), code="invalid_slug")
        return data
