from rest_framework import serializers

from ..models import Pipeline, PipelineStage, ScaffoldLogEntry, ScaffoldRun, ScaffoldStep


class TemplateSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    version = serializers.CharField()
    kind = serializers.CharField()
    language = serializers.CharField()
    framework = serializers.CharField()
    provides_api = serializers.JSONField(allow_null=True)
    parameters_schema = serializers.JSONField(
        help_text="JSON Schema of the parameters, with the choices open to you filled in."
    )


class ScaffoldStepSerializer(serializers.ModelSerializer):
    duration_seconds = serializers.FloatField(allow_null=True, read_only=True)

    class Meta:
        model = ScaffoldStep
        fields = ["name", "label", "status", "started_at", "finished_at", "duration_seconds"]


class ScaffoldLogEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = ScaffoldLogEntry
        fields = ["created_at", "step", "level", "message"]


class ScaffoldRunSerializer(serializers.ModelSerializer):
    owner_team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    service = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    pipeline = serializers.SerializerMethodField()
    steps = ScaffoldStepSerializer(many=True, read_only=True)
    log = ScaffoldLogEntrySerializer(source="log_entries", many=True, read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = ScaffoldRun
        fields = [
            "uuid", "url", "slug", "template", "template_version", "parameters", "owner_team",
            "requested_by", "via", "status", "current_step", "error", "attempts",
            "repository_provider", "repository_url", "commit_sha", "service", "pipeline",
            "started_at", "finished_at", "created_at", "updated_at", "steps", "log",
        ]  # fmt: skip
        read_only_fields = fields

    def get_pipeline(self, run) -> str | None:
        pipeline = getattr(run, "pipeline", None)
        return pipeline.slug if pipeline else None


class ScaffoldRequestSerializer(serializers.Serializer):
    template = serializers.CharField(max_length=63)
    parameters = serializers.JSONField()


class PipelineStageSerializer(serializers.ModelSerializer):
    class Meta:
        model = PipelineStage
        fields = ["position", "name", "environment", "steps", "on_success", "on_failure"]


class PipelineSerializer(serializers.ModelSerializer):
    owner_team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    service = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    stages = PipelineStageSerializer(many=True, read_only=True)

    class Meta:
        model = Pipeline
        fields = [
            "slug", "owner_team", "service", "repository_url", "ci_url", "definition_path",
            "ci_files", "stages", "definition", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields
