from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import (
    Api,
    ApiConsumption,
    ApiVersion,
    BusinessDomain,
    DataDomain,
    Dependency,
    Resource,
    Service,
    System,
    Tag,
)
from catalog.querysets import DEPENDENTS_SHOWN
from portal.api.serializers import NameField, by_slug
from teams.models import Team

_TIMESTAMPS = ["created_at", "updated_at"]


class TagListField(serializers.ListField):
    """Tag names in and out; the action creates a tag on first use."""

    child = serializers.CharField(max_length=Tag._meta.get_field("name").max_length)

    def to_representation(self, tags):
        return [tag.name for tag in tags.all()]


# --- nested, read-only parts of a service's representation -----------------------------------


class ProvidedApiSerializer(serializers.ModelSerializer):
    class Meta:
        model = Api
        fields = ["slug", "name", "type", "lifecycle"]
        read_only_fields = fields


class ConsumedApiSerializer(serializers.ModelSerializer):
    api = by_slug()
    provider = by_slug(source="api.provider")

    class Meta:
        model = ApiConsumption
        fields = ["id", "api", "provider", "version_requirement"]
        read_only_fields = fields


class OutgoingDependencySerializer(serializers.ModelSerializer):
    target_service = by_slug()
    target_resource = by_slug()

    class Meta:
        model = Dependency
        fields = ["id", "target_service", "target_resource", "kind", "criticality"]
        read_only_fields = fields


class IncomingDependencySerializer(serializers.ModelSerializer):
    source = by_slug()

    class Meta:
        model = Dependency
        fields = ["id", "source", "kind", "criticality"]
        read_only_fields = fields


class OwnedResourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Resource
        fields = ["slug", "name", "kind"]
        read_only_fields = fields


# --- the collections -------------------------------------------------------------------------


class ServiceSerializer(serializers.ModelSerializer):
    slug = NameField()
    owner_team = by_slug(Team.objects.all())
    data_domain = by_slug(DataDomain.objects.all(), allow_null=True, required=False)
    system = by_slug(System.objects.all(), allow_null=True, required=False)
    tags = TagListField(required=False, max_length=50)

    class Meta:
        model = Service
        fields = [
            "slug",
            "name",
            "description",
            "owner_team",
            "lifecycle",
            "tier",
            "kind",
            "language",
            "framework",
            "runtime",
            "scaling_factor",
            "repository_url",
            "pipeline_url",
            "docs_url",
            "runbook_url",
            "tags",
            "data_domain",
            "system",
            "template",
            "template_version",
            *_TIMESTAMPS,
        ]
        read_only_fields = ["template", "template_version", *_TIMESTAMPS]


class ServiceDetailSerializer(ServiceSerializer):
    provided_apis = ProvidedApiSerializer(many=True, read_only=True)
    consumed_apis = ConsumedApiSerializer(source="consumptions", many=True, read_only=True)
    dependencies = OutgoingDependencySerializer(many=True, read_only=True)
    dependents = IncomingDependencySerializer(
        source="first_dependents",
        many=True,
        read_only=True,
        help_text=f"The first {DEPENDENTS_SHOWN} by slug; dependents/ pages through them all.",
    )
    dependents_count = serializers.IntegerField(
        read_only=True, help_text="How many services depend on this one directly."
    )
    resources = OwnedResourceSerializer(many=True, read_only=True)

    class Meta(ServiceSerializer.Meta):
        fields = [
            *ServiceSerializer.Meta.fields,
            "provided_apis",
            "consumed_apis",
            "dependencies",
            "dependents",
            "dependents_count",
            "resources",
        ]


class ServiceTransferSerializer(serializers.Serializer):
    owner_team = by_slug(Team.objects.all())


class ApiSerializer(serializers.ModelSerializer):
    slug = NameField()
    provider = by_slug(Service.objects.all())
    owner_team = by_slug(source="provider.owner_team")
    system = by_slug(System.objects.all(), allow_null=True, required=False)
    latest_version = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Api
        fields = [
            "slug",
            "name",
            "description",
            "provider",
            "owner_team",
            "type",
            "lifecycle",
            "system",
            "latest_version",
            "current_version",
            *_TIMESTAMPS,
        ]
        read_only_fields = _TIMESTAMPS
        extra_kwargs = {
            "current_version": {
                "help_text": "The version consumers are pointed at: the latest, unless a "
                "breaking version is waiting for its consumers."
            }
        }


class ApiVersionSerializer(serializers.ModelSerializer):
    published_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ApiVersion
        fields = ["version", "digest", "published_at", "published_by"]
        read_only_fields = ["digest", "published_at", "published_by"]
        validators = []  # a duplicate version is the action's to refuse


class ApiVersionDetailSerializer(ApiVersionSerializer):
    spec = serializers.CharField(trim_whitespace=False)

    class Meta(ApiVersionSerializer.Meta):
        fields = [*ApiVersionSerializer.Meta.fields, "spec"]


class DataDomainSerializer(serializers.ModelSerializer):
    slug = NameField()
    owner_service = by_slug(Service.objects.all())
    owner_team = by_slug(source="owner_service.owner_team")

    class Meta:
        model = DataDomain
        fields = ["slug", "name", "description", "owner_service", "owner_team", *_TIMESTAMPS]
        read_only_fields = _TIMESTAMPS


class DomainTransferSerializer(serializers.Serializer):
    owner_service = by_slug(Service.objects.all())


class SystemSerializer(serializers.ModelSerializer):
    slug = NameField()
    owner_team = by_slug(Team.objects.all())
    business_domain = by_slug(BusinessDomain.objects.all(), allow_null=True, required=False)

    class Meta:
        model = System
        fields = [
            "slug",
            "name",
            "description",
            "owner_team",
            "business_domain",
            *_TIMESTAMPS,
        ]
        read_only_fields = _TIMESTAMPS


class BusinessDomainSerializer(serializers.ModelSerializer):
    slug = NameField()
    owner_team = by_slug(Team.objects.all())

    class Meta:
        model = BusinessDomain
        fields = ["slug", "name", "description", "owner_team", *_TIMESTAMPS]
        read_only_fields = _TIMESTAMPS


class ResourceSerializer(serializers.ModelSerializer):
    slug = NameField()
    owner_team = by_slug(Team.objects.all(), required=False)
    service = by_slug(Service.objects.all(), allow_null=True, required=False)
    system = by_slug(System.objects.all(), allow_null=True, required=False)
    data_domain = by_slug(DataDomain.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Resource
        fields = [
            "slug",
            "name",
            "description",
            "kind",
            "type",
            "owner_team",
            "service",
            "system",
            "data_domain",
            *_TIMESTAMPS,
        ]
        read_only_fields = _TIMESTAMPS


class DependencySerializer(serializers.ModelSerializer):
    source = by_slug(Service.objects.all())
    target_service = by_slug(Service.objects.all(), allow_null=True, required=False)
    target_resource = by_slug(Resource.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Dependency
        fields = [
            "id",
            "source",
            "target_service",
            "target_resource",
            "kind",
            "criticality",
            "description",
            *_TIMESTAMPS,
        ]
        read_only_fields = ["id", *_TIMESTAMPS]
        validators = []  # one target, no self-edge, no duplicate: the model's rules


class ApiConsumptionSerializer(serializers.ModelSerializer):
    consumer = by_slug(Service.objects.all())
    api = by_slug(Api.objects.all())
    provider = by_slug(source="api.provider")

    class Meta:
        model = ApiConsumption
        fields = ["id", "consumer", "api", "provider", "version_requirement", *_TIMESTAMPS]
        read_only_fields = ["id", *_TIMESTAMPS]
        validators = []  # a duplicate consumption is the model's rule


# --- the dependency graph --------------------------------------------------------------------


class GraphQuerySerializer(serializers.Serializer):
    transitive = serializers.BooleanField(default=True)
    max_depth = serializers.IntegerField(min_value=1, max_value=100, required=False)


class ReachSerializer(serializers.Serializer):
    slug = serializers.CharField(source="service.slug")
    name = serializers.CharField(source="service.name")
    owner_team = serializers.CharField(source="service.owner_team.slug")
    tier = serializers.IntegerField(source="service.tier")
    depth = serializers.IntegerField()


class TeamImpactSerializer(serializers.Serializer):
    team = serializers.CharField(source="team.slug")
    team_name = serializers.CharField(source="team.name")
    services = serializers.IntegerField(help_text="How many of the team's services fail.")
    direct = serializers.IntegerField(help_text="How many of them call the failing service.")
    nearest = serializers.IntegerField(help_text="Fewest edges to one of the team's services.")
    most_critical_tier = serializers.IntegerField()


class BlastRadiusSerializer(serializers.Serializer):
    """The blast radius per team; the services themselves are paged at ``dependents/``."""

    service = serializers.CharField(source="service.slug")
    count = serializers.IntegerField()
    direct = serializers.IntegerField()
    teams = serializers.SerializerMethodField()

    @extend_schema_field(TeamImpactSerializer(many=True))
    def get_teams(self, radius) -> list[dict]:
        # A core service can hit a thousand teams: plain dicts, not a nested serializer each.
        return [
            {
                "team": impact.team.slug,
                "team_name": impact.team.name,
                "services": impact.services,
                "direct": impact.direct,
                "nearest": impact.nearest,
                "most_critical_tier": impact.most_critical_tier,
            }
            for impact in radius["teams"]
        ]


class CycleSerializer(serializers.Serializer):
    services = serializers.SerializerMethodField()
    path = serializers.SerializerMethodField(help_text="A closed loop: the first slug ends it.")

    def get_services(self, cycle) -> list[str]:
        return [service.slug for service in cycle.services]

    def get_path(self, cycle) -> list[str]:
        return [service.slug for service in cycle.path]


class CoupledTeamSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    services = serializers.IntegerField(help_text="How many services the team owns.")
    partners = serializers.IntegerField(help_text="How many other teams it is coupled with.")
    weight = serializers.IntegerField(help_text="The weight of all its links, either way.")


class TeamLinkSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="The team whose services call or consume.")
    target = serializers.CharField(help_text="The team whose services are called.")
    weight = serializers.IntegerField(help_text="Dependencies plus API consumptions.")
    dependencies = serializers.DictField(
        child=serializers.IntegerField(), help_text="Dependencies by kind: sync, async, data."
    )
    consumptions = serializers.IntegerField(help_text="API consumptions.")


class TeamCouplingSerializer(serializers.Serializer):
    """Teams as nodes, their cross-team links as weighted edges (``catalog.coupling``)."""

    teams = CoupledTeamSerializer(many=True)
    links = TeamLinkSerializer(many=True)


class TeamLinkServiceSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="The calling (or consuming) service.")
    target = serializers.CharField(help_text="The service called (or providing the API).")
    kind = serializers.ChoiceField(choices=[*Dependency.Kind.values, "api"])
    resource = serializers.CharField(allow_null=True, help_text="The resource depended on.")
    api = serializers.CharField(allow_null=True, help_text="The API consumed.")
