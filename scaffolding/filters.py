"""Filters for scaffold runs and pipelines, shared by REST (and usable by pages)."""

import django_filters

from portal.filters import Ordering, SearchFilterSet, SlugFilter

from .models import Pipeline, ScaffoldRun


class ScaffoldRunFilterSet(SearchFilterSet):
    search_fields = ("slug", "template")

    slug = SlugFilter(field_name="slug")
    owner_team = SlugFilter(field_name="owner_team__slug")
    requested_by = django_filters.CharFilter(field_name="requested_by__username")
    ordering = Ordering(
        {"created_at": ("created_at",), "slug": ("slug",), "status": ("status",)}, tie_breaker=()
    )

    class Meta:
        model = ScaffoldRun
        fields = ["status", "template", "slug", "owner_team", "requested_by"]


class PipelineFilterSet(SearchFilterSet):
    search_fields = ("slug",)

    owner_team = SlugFilter(field_name="owner_team__slug")
    ordering = Ordering({"slug": ("slug",), "created_at": ("created_at",)})

    class Meta:
        model = Pipeline
        fields = ["owner_team"]
