"""Filters for scaffold runs and pipelines, shared by REST (and usable by pages)."""

import django_filters
from django.db.models import Q

from portal.filters import Ordering, SlugFilter

from .models import Pipeline, ScaffoldRun


class ScaffoldRunFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    slug = SlugFilter(field_name="slug")
    owner_team = SlugFilter(field_name="owner_team__slug")
    requested_by = django_filters.CharFilter(field_name="requested_by__username")
    ordering = Ordering(
        {"created_at": ("created_at",), "slug": ("slug",), "status": ("status",)}, tie_breaker=()
    )

    class Meta:
        model = ScaffoldRun
        fields = ["status", "template", "slug", "owner_team", "requested_by"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(slug__icontains=value) | Q(template__icontains=value))


class PipelineFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="slug", lookup_expr="icontains")
    owner_team = SlugFilter(field_name="owner_team__slug")
    ordering = Ordering({"slug": ("slug",), "created_at": ("created_at",)})

    class Meta:
        model = Pipeline
        fields = ["owner_team"]
