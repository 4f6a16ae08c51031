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


class NextStepSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["service", "clone", "pipeline"])
    label = serializers.CharField()
    url = serializers.CharField()


class ScaffoldRunSerializer(serializers.ModelSerializer):
    """Status, steps, log and next steps come from the run's one view (``run.progress``),
    which the run page and GraphQL show too."""

    owner_team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    service = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    pipeline = serializers.SerializerMethodField()
    status = serializers.CharField(source="progress.status", read_only=True)
    status_label = serializers.CharField(source="progress.status_label", read_only=True)
    finished = serializers.BooleanField(source="progress.finished", read_only=True)
    steps = ScaffoldStepSerializer(source="progress.steps", many=True, read_only=True)
    log = ScaffoldLogEntrySerializer(source="progress.log", many=True, read_only=True)
    next_steps = NextStepSerializer(
        source="progress.next_steps",
        many=True,
        read_only=True,
        help_text="Once it succeeded: open the service, clone it, see its pipeline.",
    )
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = ScaffoldRun
        fields = [
            "uuid", "url", "slug", "template", "template_version", "parameters", "owner_team",
            "requested_by", "via", "status", "status_label", "finished", "current_step", "error",
            "attempts", "repository_provider", "repository_url", "commit_sha", "service",
            "pipeline", "started_at", "finished_at", "created_at", "updated_at", "steps", "log",
            "next_steps",
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
