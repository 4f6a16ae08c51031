from django.conf import settings
from rest_framework import serializers

from portal.api.serializers import NameField, by_slug
from teams.models import Team

from .. import exporting
from ..models import Entity, ImportProblem, ImportRun, Location
from ..querysets import targets_of

_TIMESTAMPS = ["created_at", "updated_at"]


class LastRunSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="last_run_id")
    status = serializers.ChoiceField(choices=ImportRun.Status.choices, source="last_run_status")


class LocationSerializer(serializers.ModelSerializer):
    slug = NameField()
    owner_team = by_slug(Team.objects.all(), allow_null=True, required=False)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    content = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=settings.KEEL_CATALOG_MAX_FILE_BYTES,
        trim_whitespace=False,
        help_text="The descriptor file's text (upload locations); never sent back.",
    )
    last_run = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Location
        fields = [
            "slug", "url", "name", "description", "type", "target", "entry", "ref", "content",
            "owner_team", "remove_orphans", "created_by", "last_run", *_TIMESTAMPS,
        ]  # fmt: skip
        read_only_fields = ["created_by", *_TIMESTAMPS]

    def get_last_run(self, location) -> LastRunSerializer(allow_null=True):
        if getattr(location, "last_run_id", None) is None:
            return None
        return LastRunSerializer(location).data


class ImportRunSerializer(serializers.ModelSerializer):
    location = by_slug()
    started_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = ImportRun
        fields = [
            "id", "url", "location", "status", "trigger", "step", "message", "commit",
            "started_by", "created_at", "started_at", "finished_at", "files", "read", "created",
            "updated", "unchanged", "orphaned", "removed", "refused",
        ]  # fmt: skip
        read_only_fields = fields


class ImportProblemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportProblem
        fields = ["id", "level", "source", "document", "line", "ref", "message"]
        read_only_fields = fields


class TargetSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="The kind of object: service, team, api, system, user…")
    name = serializers.CharField(help_text="Its slug (a username for a user).")
    url = serializers.CharField(allow_null=True, help_text="Its page, where it has one.")


class EntitySerializer(serializers.ModelSerializer):
    location = by_slug()
    owner_team = by_slug()
    orphaned = serializers.SerializerMethodField()
    descriptor = serializers.SerializerMethodField(help_text="As its location declared it.")
    target = serializers.SerializerMethodField(help_text="The catalog object it became.")
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Entity
        fields = [
            "ref", "url", "kind", "namespace", "name", "location", "source", "document",
            "owner_team", "orphaned", "orphaned_at", "target", "descriptor", *_TIMESTAMPS,
        ]  # fmt: skip
        read_only_fields = fields

    def get_descriptor(self, entity) -> dict:
        return exporting.shown(entity.descriptor)

    def get_orphaned(self, entity) -> bool:
        return entity.orphaned_at is not None

    def get_target(self, entity) -> TargetSerializer(allow_null=True):
        target = targets_of([entity]).get(entity.pk)
        if target is None:
            return None
        return {"type": target.type, "name": target.name, "url": target.url}


class ExportQuerySerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["yaml", "json"], default="yaml", required=False)
    kind = serializers.CharField(max_length=63, required=False, help_text="Only this kind.")
    owner_team = serializers.CharField(
        max_length=63, required=False, help_text="Only what this team owns, and its Group."
    )
