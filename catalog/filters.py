import django_filters

from portal.filters import SearchFilterSet

from .models import Api, ApiConsumption, DataDomain, Dependency, Lifecycle, Resource, Service

TIER_CHOICES = [(n, f"Tier {n}") for n in range(1, 5)]


class ServiceFilterSet(SearchFilterSet):
    owner_team = django_filters.CharFilter(field_name="owner_team__slug", label="Owner team (slug)")
    lifecycle = django_filters.ChoiceFilter(choices=Lifecycle.choices)
    tier = django_filters.TypedChoiceFilter(choices=TIER_CHOICES, coerce=int)
    kind = django_filters.ChoiceFilter(choices=Service.Kind.choices)
    runtime = django_filters.ChoiceFilter(choices=Service.Runtime.choices)
    language = django_filters.CharFilter(lookup_expr="iexact")
    tag = django_filters.CharFilter(field_name="tags__name", label="Tag", distinct=True)
    domain = django_filters.CharFilter(field_name="data_domain__slug", label="Data domain (slug)")

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
        ]


class ApiFilterSet(SearchFilterSet):
    provider = django_filters.CharFilter(field_name="provider__slug", label="Provider (slug)")
    owner_team = django_filters.CharFilter(
        field_name="provider__owner_team__slug", label="Owner team (slug)"
    )
    type = django_filters.ChoiceFilter(choices=Api.Type.choices)
    lifecycle = django_filters.ChoiceFilter(choices=Lifecycle.choices)
    domain = django_filters.CharFilter(
        field_name="provider__data_domain__slug", label="Data domain (slug)"
    )

    class Meta:
        model = Api
        fields = ["q", "provider", "owner_team", "type", "lifecycle", "domain"]


class DataDomainFilterSet(SearchFilterSet):
    owner_service = django_filters.CharFilter(
        field_name="owner_service__slug", label="Owner service (slug)"
    )
    owner_team = django_filters.CharFilter(
        field_name="owner_service__owner_team__slug", label="Owner team (slug)"
    )

    class Meta:
        model = DataDomain
        fields = ["q", "owner_service", "owner_team"]


class ResourceFilterSet(SearchFilterSet):
    service = django_filters.CharFilter(field_name="service__slug", label="Owner service (slug)")
    owner_team = django_filters.CharFilter(
        field_name="service__owner_team__slug", label="Owner team (slug)"
    )
    kind = django_filters.ChoiceFilter(choices=Resource.Kind.choices)
    domain = django_filters.CharFilter(field_name="data_domain__slug", label="Data domain (slug)")

    class Meta:
        model = Resource
        fields = ["q", "service", "owner_team", "kind", "domain"]


class DependencyFilterSet(django_filters.FilterSet):
    source = django_filters.CharFilter(field_name="source__slug", label="Source service (slug)")
    target_service = django_filters.CharFilter(
        field_name="target_service__slug", label="Target service (slug)"
    )
    target_resource = django_filters.CharFilter(
        field_name="target_resource__slug", label="Target resource (slug)"
    )
    kind = django_filters.ChoiceFilter(choices=Dependency.Kind.choices)
    criticality = django_filters.ChoiceFilter(choices=Dependency.Criticality.choices)

    class Meta:
        model = Dependency
        fields = ["source", "target_service", "target_resource", "kind", "criticality"]


class ApiConsumptionFilterSet(django_filters.FilterSet):
    consumer = django_filters.CharFilter(field_name="consumer__slug", label="Consumer (slug)")
    api = django_filters.CharFilter(field_name="api__slug", label="API (slug)")
    provider = django_filters.CharFilter(field_name="api__provider__slug", label="Provider (slug)")

    class Meta:
        model = ApiConsumption
        fields = ["consumer", "api", "provider"]
