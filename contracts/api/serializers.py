from django.conf import settings
from rest_framework import serializers

from catalog.models import Api, ApiVersion

from ..models import BreakingRelease, ConsumerImpact


def _within_cap(text: str) -> str:
    """The spec size cap, before anything parses the text (a refused document is still
    compared where it can be read, so the validator's own cap comes too late)."""
    limit = settings.KEEL_SPEC_MAX_BYTES
    if len(text.encode()) > limit:
        raise serializers.ValidationError(
            f"The specification is larger than the limit of {limit:,} bytes."
        )
    return text


def _spec(**kwargs):
    return serializers.CharField(trim_whitespace=False, validators=[_within_cap], **kwargs)


class CheckSerializer(serializers.Serializer):
    version = serializers.CharField(
        max_length=50, validators=ApiVersion._meta.get_field("version").validators
    )
    spec = _spec(help_text="The candidate specification's text.")


class CompareSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=Api.Type.choices)
    base = _spec(help_text="The specification compared against (main's).")
    revision = _spec(help_text="The changed specification (the pull request's).")


class ChangeSerializer(serializers.Serializer):
    level = serializers.ChoiceField(
        choices=["breaking", "potentially-breaking", "deprecation", "non-breaking"]
    )
    rule = serializers.CharField(help_text="A stable rule id, e.g. graphql.field_removed.")
    location = serializers.CharField()
    pointer = serializers.CharField(help_text="A JSON pointer into the document, or empty.")
    message = serializers.CharField()


class ComparisonSerializer(serializers.Serializer):
    verdict = serializers.CharField(
        help_text="The worst level among the changes, or unchanged (first: nothing before)."
    )
    comparable = serializers.BooleanField(
        help_text="False when a side could not be read; the diff then counts as potentially "
        "breaking."
    )
    counts = serializers.DictField(child=serializers.IntegerField())
    changes = ChangeSerializer(many=True)
    problems = serializers.ListField(
        child=serializers.CharField(), help_text="Validation problems of either side."
    )


class ConsumerSerializer(serializers.Serializer):
    consumer = serializers.CharField()
    owner_team = serializers.CharField()
    version_requirement = serializers.CharField()
    includes_version = serializers.BooleanField(
        allow_null=True, help_text="Null when no range is declared or it cannot be read."
    )
    affected = serializers.BooleanField(
        help_text="Its range does not admit the version: it must acknowledge or move."
    )


class CheckResultSerializer(ComparisonSerializer):
    api = serializers.CharField()
    version = serializers.CharField()
    base_version = serializers.CharField(allow_null=True)
    bump = serializers.ChoiceField(
        choices=["major", "minor", "patch", "same", "lower", "unknown"], allow_null=True
    )
    policy = serializers.ChoiceField(choices=["enforce", "warn"])
    valid = serializers.BooleanField(help_text="Whether the validator accepts the candidate.")
    notes = serializers.ListField(child=serializers.CharField())
    would_publish = serializers.BooleanField()
    refusals = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="What publishing would be refused for, by field.",
    )
    consumers = ConsumerSerializer(many=True, help_text="Listed when a change is breaking.")
    would_become_current = serializers.BooleanField()


class ImpactSerializer(serializers.ModelSerializer):
    consumer = serializers.CharField(source="consumer_slug", read_only=True)
    owner_team = serializers.SerializerMethodField()
    acknowledged_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    affected = serializers.BooleanField(read_only=True)

    class Meta:
        model = ConsumerImpact
        fields = [
            "consumer", "owner_team", "version_requirement", "includes_version", "affected",
            "acknowledged_at", "acknowledged_by",
        ]  # fmt: skip

    def get_owner_team(self, impact) -> str | None:
        consumption = impact.consumption
        return consumption.consumer.owner_team.slug if consumption is not None else None


class ReleaseSerializer(serializers.ModelSerializer):
    api = serializers.CharField(source="api.slug", read_only=True)
    version = serializers.CharField(source="version.version", read_only=True)
    impacts = ImpactSerializer(many=True, read_only=True)

    class Meta:
        model = BreakingRelease
        fields = [
            "api", "version", "base_version", "state", "released_because", "released_at",
            "sunset_on", "impacts", "created_at",
        ]  # fmt: skip


class AcknowledgeSerializer(serializers.Serializer):
    consumer = serializers.CharField(help_text="The slug of the consuming service.")


class SunsetSerializer(serializers.Serializer):
    sunset_on = serializers.DateField()
