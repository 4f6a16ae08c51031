"""Pipeline runs and artifacts in the admin: read-only, since runs are written by their
stages' jobs (start one from the pipeline page, REST or GraphQL)."""

from django.contrib import admin

from scaffolding.admin import ReadOnlyAdmin

from .models import Artifact, PipelineRun, StageRun


class StageInline(admin.TabularInline):
    model = StageRun
    extra = 0
    fields = ["position", "name", "status", "attempts", "started_at", "finished_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(PipelineRun)
class PipelineRunAdmin(ReadOnlyAdmin):
    list_display = ["pipeline", "number", "trigger", "status", "commit_sha", "created_at"]
    list_filter = ["status", "trigger"]
    search_fields = ["pipeline__slug", "commit_sha"]
    list_select_related = ["pipeline"]
    inlines = [StageInline]


@admin.register(Artifact)
class ArtifactAdmin(ReadOnlyAdmin):
    list_display = ["digest", "size", "created_by_run", "created_at"]
    search_fields = ["digest"]
    list_select_related = ["created_by_run__pipeline"]
