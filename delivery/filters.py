"""Filters for pipeline runs, shared by REST and GraphQL."""

import django_filters

from portal.filters import Ordering, SlugFilter

from .models import PipelineRun


class PipelineRunFilterSet(django_filters.FilterSet):
    pipeline = SlugFilter(field_name="pipeline__slug", label="Pipeline (slug)")
    status = django_filters.ChoiceFilter(choices=PipelineRun.Status.choices)
    trigger = django_filters.ChoiceFilter(choices=PipelineRun.Trigger.choices)
    ordering = Ordering({"created_at": ("created_at",), "number": ("number",)}, tie_breaker=())

    class Meta:
        model = PipelineRun
        fields = ["pipeline", "status", "trigger"]
