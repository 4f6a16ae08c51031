import django_filters
from django.db.models import Count
from django.db.models.functions import Lower

from portal.filters import Ordering, SearchFilterSet, SlugFilter

from .models import (
    Api,
    ApiConsumption,
    BusinessDomain,
    DataDomain,
    Dependency,
    Lifecycle,
    Resource,
    Service,
    System,
)

TIER_CHOICES = [(n, f"Tier {n}") for n in range(1, 5)]
NAME = Lower("name")
# What every named object sorts by; each list adds its own columns, then the name.
NAMED = {
    "slug": ("slug",),
    "name": (NAME,),
    "created_at": ("created_at",),
    "updated_at": ("updated_at",),
}


class ServiceFilterSet(SearchFilterSet):
    owner_team = SlugFilter(field_name="owner_team__slug", label="Owner team (slug)")
    lifecycle = django_filters.ChoiceFilter(choices=Lifecycle.choices)
    tier = django_filters.TypedChoiceFilter(choices=TIER_CHOICES, coerce=int)
    kind = django_filters.ChoiceFilter(choices=Service.Kind.choices)
    runtime = django_filters.ChoiceFilter(choices=Service.Runtime.choices)
    language = django_filters.CharFilter(lookup_expr="iexact")
    tag = django_filters.CharFilter(method="tagged", label="Tag")
    domain = SlugFilter(field_name="data_domain__slug", label="Data domain (slug)")
    system = SlugFilter(field_name="system__slug", label="System (slug)")
    ordering = Ordering(
        {
            **NAMED,
            "owner_team": (Lower("owner_team__name"), NAME),
            "lifecycle": ("lifecycle", NAME),
            "tier": ("tier", NAME),
            "kind": ("kind", NAME),
        }
    )

    def tagged(self, queryset, name, value):
        """A semi-join, not a join: no duplicate rows, so no DISTINCT to sort them out."""
        tagged = Service.tags.through.objects.filter(tag__name=value).values("service_id")
        return queryset.filter(pk__in=tagged)

    class Meta:
        model = Service
        fields = [
            "q",
            "owner_team",
            "lifecycle",
            "tier",
            "kind",
            "runtime",
            "language",
            "tag",
            "domain",
            "system",
        ]


class ApiFilterSet(SearchFilterSet):
    provider = SlugFilter(field_name="provider__slug", label="Provider (slug)")
    owner_team = SlugFilter(field_name="provider__owner_team__slug", label="Owner team (slug)")
    type = django_filters.ChoiceFilter(choices=Api.Type.choices)
    lifecycle = django_filters.ChoiceFilter(choices=Lifecycle.choices)
    domain = SlugFilter(field_name="provider__data_domain__slug", label="Data domain (slug)")
    system = SlugFilter(field_name="system__slug", label="System (slug)")
    ordering = Ordering(
        {
            **NAMED,
            "type": ("type", NAME),
            "provider": (Lower("provider__name"), NAME),
            "lifecycle": ("lifecycle", NAME),
            "consumers": (Count("consumptions").desc(), NAME),
        }
    )

    class Meta:
        model = Api
        fields = ["q", "provider", "owner_team", "type", "lifecycle", "domain", "system"]


class DataDomainFilterSet(SearchFilterSet):
    owner_service = SlugFilter(field_name="owner_service__slug", label="Owner service (slug)")
    owner_team = SlugFilter(field_name="owner_service__owner_team__slug", label="Owner team (slug)")
    ordering = Ordering(
        {
            **NAMED,
            "owner_service": (Lower("owner_service__name"), NAME),
            "owner_team": (Lower("owner_service__owner_team__name"), NAME),
        }
    )

    class Meta:
        model = DataDomain
        fields = ["q", "owner_service", "owner_team"]


class SystemFilterSet(SearchFilterSet):
    owner_team = SlugFilter(field_name="owner_team__slug", label="Owner team (slug)")
    business_domain = SlugFilter(field_name="business_domain__slug", label="Business domain (slug)")
    ordering = Ordering(
        {
            **NAMED,
            "owner_team": (Lower("owner_team__name"), NAME),
            "business_domain": (Lower("business_domain__name"), NAME),
        }
    )

    class Meta:
        model = System
        fields = ["q", "owner_team", "business_domain"]


class BusinessDomainFilterSet(SearchFilterSet):
    owner_team = SlugFilter(field_name="owner_team__slug", label="Owner team (slug)")
    ordering = Ordering({**NAMED, "owner_team": (Lower("owner_team__name"), NAME)})

    class Meta:
        model = BusinessDomain
        fields = ["q", "owner_team"]


class ResourceFilterSet(SearchFilterSet):
    service = SlugFilter(field_name="service__slug", label="Owner service (slug)")
    owner_team = SlugFilter(field_name="owner_team__slug", label="Owner team (slug)")
    kind = django_filters.ChoiceFilter(choices=Resource.Kind.choices)
    system = SlugFilter(field_name="system__slug", label="System (slug)")
    domain = SlugFilter(field_name="data_domain__slug", label="Data domain (slug)")
    ordering = Ordering({**NAMED, "kind": ("kind", NAME)})

    class Meta:
        model = Resource
        fields = ["q", "service", "owner_team", "kind", "system", "domain"]


class DependencyFilterSet(django_filters.FilterSet):
    source = SlugFilter(field_name="source__slug", label="Source service (slug)")
    target_service = SlugFilter(field_name="target_service__slug", label="Target service (slug)")
    target_resource = SlugFilter(field_name="target_resource__slug", label="Target resource (slug)")
    kind = django_filters.ChoiceFilter(choices=Dependency.Kind.choices)
    criticality = django_filters.ChoiceFilter(choices=Dependency.Criticality.choices)
    ordering = Ordering(
        {
            "id": ("id",),
            "source__slug": ("source__slug",),
            "kind": ("kind",),
            "criticality": ("criticality",),
            "created_at": ("created_at",),
        },
        tie_breaker=(),
    )

    class Meta:
        model = Dependency
        fields = ["source", "target_service", "target_resource", "kind", "criticality"]


class ApiConsumptionFilterSet(django_filters.FilterSet):
    consumer = SlugFilter(field_name="consumer__slug", label="Consumer (slug)")
    api = SlugFilter(field_name="api__slug", label="API (slug)")
    provider = SlugFilter(field_name="api__provider__slug", label="Provider (slug)")
    ordering = Ordering(
        {
            "id": ("id",),
            "consumer__slug": ("consumer__slug",),
            "api__slug": ("api__slug",),
            "created_at": ("created_at",),
        },
        tie_breaker=(),
    )

    class Meta:
        model = ApiConsumption
        fields = ["consumer", "api", "provider"]
