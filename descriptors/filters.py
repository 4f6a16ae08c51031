import django_filters
from django.db.models.functions import Lower

from portal.filters import Ordering, SearchFilterSet, SlugFilter, StrictBooleanFilter

from .models import Entity, ImportProblem, ImportRun, Location

NAME = Lower("name")


class LocationFilterSet(SearchFilterSet):
    search_fields = ("slug", "name", "description", "target")
    type = django_filters.ChoiceFilter(choices=Location.Type.choices)
    owner_team = SlugFilter(field_name="owner_team__slug", label="Owner team (slug)")
    ordering = Ordering(
        {
            "slug": ("slug",),
            "name": (NAME,),
            "type": ("type", NAME),
            "owner_team": (Lower("owner_team__name"), NAME),
            "created_at": ("created_at",),
            "updated_at": ("updated_at",),
        }
    )

    class Meta:
        model = Location
        fields = ["q", "type", "owner_team"]


class ImportRunFilterSet(django_filters.FilterSet):
    location = SlugFilter(field_name="location__slug", label="Location (slug)")
    status = django_filters.ChoiceFilter(choices=ImportRun.Status.choices)
    trigger = django_filters.ChoiceFilter(choices=ImportRun.Trigger.choices)
    ordering = Ordering({"created_at": ("created_at",)}, tie_breaker=())

    class Meta:
        model = ImportRun
        fields = ["location", "status", "trigger"]


class ImportProblemFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=ImportProblem.Level.choices)

    class Meta:
        model = ImportProblem
        fields = ["level"]


class EntityFilterSet(SearchFilterSet):
    search_fields = ("ref",)
    kind = django_filters.CharFilter(lookup_expr="iexact", max_length=63)
    namespace = django_filters.CharFilter(lookup_expr="iexact", max_length=63)
    location = SlugFilter(field_name="location__slug", label="Location (slug)")
    owner_team = SlugFilter(field_name="owner_team__slug", label="Owner team (slug)")
    orphaned = StrictBooleanFilter(
        field_name="orphaned_at", lookup_expr="isnull", exclude=True, label="Orphaned"
    )
    ordering = Ordering(
        {
            "ref": ("ref",),
            "kind": ("kind", "ref"),
            "updated_at": ("updated_at",),
        },
        tie_breaker=("ref",),
    )

    class Meta:
        model = Entity
        fields = ["q", "kind", "namespace", "location", "owner_team", "orphaned"]
