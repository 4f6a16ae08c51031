from rest_framework import serializers

from ..models import Artifact, Deployment, Environment, PipelineRun, StageRun


class ArtifactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Artifact
        fields = ["digest", "size", "path", "provenance", "created_at"]
        read_only_fields = fields


class StageRunSerializer(serializers.ModelSerializer):
    duration_seconds = serializers.FloatField(allow_null=True, read_only=True)

    class Meta:
        model = StageRun
        fields = [
            "position", "name", "status", "attempts", "started_at", "finished_at",
            "duration_seconds", "result",
        ]  # fmt: skip
        read_only_fields = fields


class StageRunWithLogSerializer(StageRunSerializer):
    class Meta(StageRunSerializer.Meta):
        fields = [*StageRunSerializer.Meta.fields, "log"]
        read_only_fields = fields


class PipelineRunSerializer(serializers.ModelSerializer):
    """A run with its stages' status; the logs are on the run's own resource."""

    pipeline = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    started_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    artifact = serializers.SlugRelatedField(slug_field="digest", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    stages = StageRunSerializer(many=True, read_only=True)

    class Meta:
        model = PipelineRun
        fields = [
            "id", "url", "pipeline", "number", "trigger", "via", "commit_sha", "ref", "status",
            "message", "started_by", "artifact", "created_at", "started_at", "finished_at",
            "stages",
        ]  # fmt: skip
        read_only_fields = fields


class PipelineRunDetailSerializer(PipelineRunSerializer):
    """A run with each stage's log and the artifact's provenance."""

    artifact = ArtifactSerializer(read_only=True, allow_null=True)
    stages = StageRunWithLogSerializer(many=True, read_only=True)


class StartRunSerializer(serializers.Serializer):
    commit = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="The commit to build (40 hex digits); by default the head of main.",
    )


class DeploymentSerializer(serializers.ModelSerializer):
    """One release into one environment: what, from which run, by whom, where it serves."""

    pipeline = serializers.CharField(source="environment.pipeline.slug", read_only=True)
    environment = serializers.CharField(source="environment.name", read_only=True)
    run = serializers.IntegerField(source="run.number", read_only=True, allow_null=True)
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    page = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Deployment
        fields = [
            "id", "page", "pipeline", "environment", "kind", "status", "run",
            "artifact_digest", "commit_sha", "version", "previous", "url", "details",
            "message", "via", "actor", "created_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class EnvironmentSerializer(serializers.ModelSerializer):
    """An environment, its target and the release serving there now."""

    current = DeploymentSerializer(read_only=True, allow_null=True)
    page = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Environment
        fields = ["name", "page", "position", "target", "config", "requires_approval", "current"]
        read_only_fields = fields
