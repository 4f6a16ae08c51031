"""Scaffold runs and pipelines in the admin: read-only, since runs are written by their job
and pipelines by the run that created them (start a run from /create/ or the API)."""

from django.contrib import admin

from .models import Pipeline, PipelineStage, ScaffoldLogEntry, ScaffoldRun, ScaffoldStep


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StepInline(admin.TabularInline):
    model = ScaffoldStep
    extra = 0
    fields = ["name", "status", "started_at", "finished_at"]
    readonly_fields = fields
    can_delete = False


class LogInline(admin.TabularInline):
    model = ScaffoldLogEntry
    extra = 0
    fields = ["created_at", "step", "level", "message"]
    readonly_fields = fields
    can_delete = False


@admin.register(ScaffoldRun)
class ScaffoldRunAdmin(ReadOnlyAdmin):
    list_display = ["slug", "template", "template_version", "owner_team", "status", "current_step", "attempts", "created_at"]  # fmt: skip
    list_filter = ["status", "template"]
    search_fields = ["slug", "uuid"]
    list_select_related = ["owner_team"]
    inlines = [StepInline, LogInline]


class StageInline(admin.TabularInline):
    model = PipelineStage
    extra = 0
    fields = ["position", "name", "environment", "on_success", "on_failure"]
    readonly_fields = fields
    can_delete = False


@admin.register(Pipeline)
class PipelineAdmin(ReadOnlyAdmin):
    list_display = ["slug", "owner_team", "service", "created_at"]
    search_fields = ["slug"]
    list_select_related = ["owner_team", "service"]
    inlines = [StageInline]
