import graphene
from graphene_django import DjangoObjectType

from portal.graphql.loaders import mark_siblings
from portal.graphql.types import CountedConnection, RestrictedType, UserType, choices_enum
from teams.graphql.loaders import team_by_id
from teams.graphql.types import TeamType

from .. import graph
from ..models import (
    Api,
    ApiConsumption,
    ApiVersion,
    BusinessDomain,
    DataDomain,
    Dependency,
    Lifecycle,
    Resource,
    Service,
    System,
)
from . import loaders

LifecycleEnum = choices_enum(Lifecycle, "Lifecycle", "Where a service or API is in its life.")
ServiceKind = choices_enum(Service.Kind, "ServiceKind", "What sort of software a service is.")
Runtime = choices_enum(Service.Runtime, "Runtime", "Where a service runs.")
ApiKind = choices_enum(Api.Type, "ApiType", "The specification language of an API contract.")
ResourceKind = choices_enum(Resource.Kind, "ResourceKind", "What sort of resource it is.")
DependencyKind = choices_enum(Dependency.Kind, "DependencyKind", "How a dependency is used.")
Criticality = choices_enum(Dependency.Criticality, "Criticality", "How much a dependency matters.")


class ServiceReach(graphene.ObjectType):
    service = graphene.Field(lambda: ServiceType, required=True)
    depth = graphene.Int(required=True, description="Edges away from the start; 1 is direct.")


class TeamImpact(graphene.ObjectType):
    team = graphene.Field(TeamType, required=True)
    services = graphene.List(graphene.NonNull(ServiceReach), required=True)


class BlastRadius(graphene.ObjectType):
    total = graphene.Int(required=True, description="Services that fail, directly or not.")
    direct = graphene.Int(required=True, description="Services that call this one directly.")
    teams = graphene.List(
        graphene.NonNull(TeamImpact), required=True, description="Affected services by team."
    )


class Cycle(graphene.ObjectType):
    services = graphene.List(graphene.NonNull(lambda: ServiceType), required=True)
    path = graphene.List(
        graphene.NonNull(lambda: ServiceType),
        required=True,
        description="One concrete loop through the group, ending where it starts.",
    )


def _reach_field(description: str) -> graphene.List:
    return graphene.List(
        graphene.NonNull(ServiceReach),
        required=True,
        description=description,
        transitive=graphene.Boolean(default_value=False, description="Follow edges further."),
        max_depth=graphene.Int(description="With transitive, stop this many edges away."),
    )


class ServiceType(RestrictedType):
    owner_team = graphene.Field(TeamType, required=True)
    lifecycle = graphene.Field(LifecycleEnum, required=True)
    kind = graphene.Field(ServiceKind, required=True)
    runtime = graphene.Field(Runtime, required=True)
    tags = graphene.List(graphene.NonNull(graphene.String), required=True)
    data_domain = graphene.Field(lambda: DataDomainType)
    system = graphene.Field(lambda: SystemType)
    provided_apis = graphene.List(graphene.NonNull(lambda: ApiType), required=True)
    consumed_apis = graphene.List(graphene.NonNull(lambda: ApiType), required=True)
    resources = graphene.List(graphene.NonNull(lambda: ResourceType), required=True)
    owned_domains = graphene.List(graphene.NonNull(lambda: DataDomainType), required=True)
    dependency_edges = graphene.List(
        graphene.NonNull(lambda: DependencyType),
        required=True,
        description="The dependencies this service declares, on services and resources.",
    )
    dependencies = _reach_field("What this service needs to work, nearest first.")
    dependents = _reach_field("What needs this service to work, nearest first.")
    blast_radius = graphene.Field(BlastRadius, required=True)

    class Meta:
        model = Service
        name = "Service"
        fields = (
            "slug", "name", "description", "owner_team", "lifecycle", "tier", "kind", "language",
            "framework", "runtime", "scaling_factor", "repository_url", "pipeline_url",
            "docs_url", "runbook_url", "tags", "data_domain", "system", "template", "template_version",
            "provided_apis", "resources",
            "owned_domains", "dependencies", "dependents", "created_at", "updated_at",
        )  # fmt: skip
        connection_class = CountedConnection
        use_connection = True

    @staticmethod
    def resolve_owner_team(root, info):
        return team_by_id.load(info, root, "owner_team_id")

    @staticmethod
    def resolve_tags(root, info):
        return sorted(tag.name for tag in loaders.tags_of_service.load(info, root))

    @staticmethod
    def resolve_data_domain(root, info):
        return loaders.domain_by_id.load(info, root, "data_domain_id")

    @staticmethod
    def resolve_system(root, info):
        return loaders.system_by_id.load(info, root, "system_id")

    @staticmethod
    def resolve_provided_apis(root, info):
        return loaders.apis_of_provider.load(info, root)

    @staticmethod
    def resolve_consumed_apis(root, info):
        return loaders.apis_consumed_by.load(info, root)

    @staticmethod
    def resolve_resources(root, info):
        return loaders.resources_of_service.load(info, root)

    @staticmethod
    def resolve_owned_domains(root, info):
        return loaders.domains_of_service.load(info, root)

    @staticmethod
    def resolve_dependency_edges(root, info):
        return loaders.edges_from_service.load(info, root)

    @staticmethod
    def resolve_dependencies(root, info, transitive, max_depth=None):
        limit = max_depth if transitive else 1
        return loaders.reaches.load(info, root, direction=graph.DOWN, max_depth=limit)

    @staticmethod
    def resolve_dependents(root, info, transitive, max_depth=None):
        limit = max_depth if transitive else 1
        return loaders.reaches.load(info, root, direction=graph.UP, max_depth=limit)

    @staticmethod
    def resolve_blast_radius(root, info):
        radius = graph.blast_radius(root, graph=loaders.request_graph(info))
        mark_siblings(radius.by_team)
        mark_siblings(reach.service for reach in radius.dependents)
        return BlastRadius(
            total=len(radius.dependents),
            direct=len(radius.direct),
            teams=[TeamImpact(team=team, services=hits) for team, hits in radius.by_team.items()],
        )


class ApiType(RestrictedType):
    provider = graphene.Field(ServiceType, required=True)
    type = graphene.Field(ApiKind, required=True)
    lifecycle = graphene.Field(LifecycleEnum, required=True)
    system = graphene.Field(lambda: SystemType)
    versions = graphene.List(
        graphene.NonNull(lambda: ApiVersionType), required=True, description="Newest first."
    )
    consumers = graphene.List(graphene.NonNull(ServiceType), required=True)
    current_version = graphene.String(
        description="The version consumers are pointed at: the latest, unless a breaking "
        "version is waiting for its consumers; null before the first publish."
    )

    class Meta:
        model = Api
        name = "Api"
        fields = (
            "slug", "name", "description", "provider", "type", "lifecycle", "system",
            "versions", "current_version", "created_at", "updated_at",
        )  # fmt: skip
        connection_class = CountedConnection
        use_connection = True

    @staticmethod
    def resolve_provider(root, info):
        return loaders.service_by_id.load(info, root, "provider_id")

    @staticmethod
    def resolve_system(root, info):
        return loaders.system_by_id.load(info, root, "system_id")

    @staticmethod
    def resolve_versions(root, info):
        return loaders.versions_of_api.load(info, root)

    @staticmethod
    def resolve_consumers(root, info):
        return loaders.consumers_of_api.load(info, root)

    @staticmethod
    def resolve_current_version(root, info):
        return root.current_version or None


class ApiVersionType(DjangoObjectType):
    api = graphene.Field(ApiType, required=True)
    published_by = graphene.Field(UserType)

    class Meta:
        model = ApiVersion
        name = "ApiVersion"
        fields = ("api", "version", "digest", "published_at", "published_by", "spec")

    @staticmethod
    def resolve_api(root, info):
        return loaders.api_by_id.load(info, root, "api_id")


class ApiConsumptionType(DjangoObjectType):
    consumer = graphene.Field(ServiceType, required=True)
    api = graphene.Field(ApiType, required=True)

    class Meta:
        model = ApiConsumption
        name = "ApiConsumption"
        fields = ("consumer", "api", "version_requirement", "created_at")

    @staticmethod
    def resolve_consumer(root, info):
        return loaders.service_by_id.load(info, root, "consumer_id")

    @staticmethod
    def resolve_api(root, info):
        return loaders.api_by_id.load(info, root, "api_id")


class DataDomainType(RestrictedType):
    owner_service = graphene.Field(ServiceType, required=True)
    services = graphene.List(
        graphene.NonNull(ServiceType), required=True, description="Services filed under it."
    )
    resources = graphene.List(graphene.NonNull(lambda: ResourceType), required=True)

    class Meta:
        model = DataDomain
        name = "DataDomain"
        fields = (
            "slug", "name", "description", "owner_service", "services", "resources",
            "created_at", "updated_at",
        )  # fmt: skip
        connection_class = CountedConnection
        use_connection = True

    @staticmethod
    def resolve_owner_service(root, info):
        return loaders.service_by_id.load(info, root, "owner_service_id")

    @staticmethod
    def resolve_services(root, info):
        return loaders.services_in_domain.load(info, root)

    @staticmethod
    def resolve_resources(root, info):
        return loaders.resources_in_domain.load(info, root)


class SystemType(RestrictedType):
    owner_team = graphene.Field(TeamType, required=True)
    business_domain = graphene.Field(lambda: BusinessDomainType)
    services = graphene.List(graphene.NonNull(ServiceType), required=True)
    apis = graphene.List(graphene.NonNull(ApiType), required=True)
    resources = graphene.List(graphene.NonNull(lambda: ResourceType), required=True)

    class Meta:
        model = System
        name = "System"
        fields = (
            "slug", "name", "description", "owner_team", "business_domain", "services", "apis",
            "resources", "created_at", "updated_at",
        )  # fmt: skip
        connection_class = CountedConnection
        use_connection = True

    @staticmethod
    def resolve_owner_team(root, info):
        return team_by_id.load(info, root, "owner_team_id")

    @staticmethod
    def resolve_business_domain(root, info):
        return loaders.business_domain_by_id.load(info, root, "business_domain_id")

    @staticmethod
    def resolve_services(root, info):
        return loaders.services_in_system.load(info, root)

    @staticmethod
    def resolve_apis(root, info):
        return loaders.apis_in_system.load(info, root)

    @staticmethod
    def resolve_resources(root, info):
        return loaders.resources_in_system.load(info, root)


class BusinessDomainType(RestrictedType):
    owner_team = graphene.Field(TeamType, required=True)
    systems = graphene.List(graphene.NonNull(SystemType), required=True)

    class Meta:
        model = BusinessDomain
        name = "BusinessDomain"
        fields = (
            "slug", "name", "description", "owner_team", "systems", "created_at", "updated_at",
        )  # fmt: skip
        connection_class = CountedConnection
        use_connection = True

    @staticmethod
    def resolve_owner_team(root, info):
        return team_by_id.load(info, root, "owner_team_id")

    @staticmethod
    def resolve_systems(root, info):
        return loaders.systems_in_business_domain.load(info, root)


class ResourceType(RestrictedType):
    kind = graphene.Field(ResourceKind, required=True)
    type = graphene.String(
        required=True, description="The type as a descriptor named it, when not the kind."
    )
    owner_team = graphene.Field(TeamType, required=True)
    service = graphene.Field(ServiceType, description="The service it belongs to, if any.")
    system = graphene.Field(lambda: SystemType)
    data_domain = graphene.Field(DataDomainType)

    class Meta:
        model = Resource
        name = "Resource"
        fields = (
            "slug", "name", "description", "kind", "type", "owner_team", "service", "system",
            "data_domain", "created_at", "updated_at",
        )  # fmt: skip
        connection_class = CountedConnection
        use_connection = True

    @staticmethod
    def resolve_owner_team(root, info):
        return team_by_id.load(info, root, "owner_team_id")

    @staticmethod
    def resolve_system(root, info):
        return loaders.system_by_id.load(info, root, "system_id")

    @staticmethod
    def resolve_service(root, info):
        return loaders.service_by_id.load(info, root, "service_id")

    @staticmethod
    def resolve_data_domain(root, info):
        return loaders.domain_by_id.load(info, root, "data_domain_id")


class DependencyType(DjangoObjectType):
    source = graphene.Field(ServiceType, required=True)
    target_service = graphene.Field(ServiceType)
    target_resource = graphene.Field(ResourceType)
    kind = graphene.Field(DependencyKind, required=True)
    criticality = graphene.Field(Criticality, required=True)

    class Meta:
        model = Dependency
        name = "Dependency"
        fields = (
            "source", "target_service", "target_resource", "kind", "criticality",
            "description", "created_at",
        )  # fmt: skip

    @staticmethod
    def resolve_source(root, info):
        return loaders.service_by_id.load(info, root, "source_id")

    @staticmethod
    def resolve_target_service(root, info):
        return loaders.service_by_id.load(info, root, "target_service_id")

    @staticmethod
    def resolve_target_resource(root, info):
        return loaders.resource_by_id.load(info, root, "target_resource_id")
