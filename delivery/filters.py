"""Filters for pipeline runs and deployments, shared by REST and GraphQL."""

import django_filters

from portal.filters import Ordering, SlugFilter

from .models import Deployment, PipelineRun


class PipelineRunFilterSet(django_filters.FilterSet):
    pipeline = SlugFilter(field_name="pipeline__slug", label="Pipeline (slug)")
    status = django_filters.ChoiceFilter(choices=PipelineRun.Status.choices)
    trigger = django_filters.ChoiceFilter(choices=PipelineRun.Trigger.choices)
    ordering = Ordering({"created_at": ("created_at",), "number": ("number",)}, tie_breaker=())

    class Meta:
        model = PipelineRun
        fields = ["pipeline", "status", "trigger"]


class DeploymentFilterSet(django_filters.FilterSet):
    pipeline = SlugFilter(field_name="environment__pipeline__slug", label="Pipeline (slug)")
    environment = django_filters.CharFilter(
        field_name="environment__name", max_length=50, label="Environment (name)"
    )
    status = django_filters.ChoiceFilter(choices=Deployment.Status.choices)
    kind = django_filters.ChoiceFilter(choices=Deployment.Kind.choices)
    ordering = Ordering({"created_at": ("created_at",)}, tie_breaker=())

    class Meta:
        model = Deployment
        fields = ["pipeline", "environment", "status", "kind"]
