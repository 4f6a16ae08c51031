"""Batch loaders for the catalog's nested fields (see portal.graphql.loaders)."""

from graphql import get_named_type

from portal.graphql.loaders import ByForeignKey, ById, Loader, request_cache
from portal.graphql.selection import columns, subfields
from portal.permissions import restrict

from ..graph import DependencyGraph, reaches_from
from ..models import (
    Api,
    ApiConsumption,
    ApiVersion,
    BusinessDomain,
    DataDomain,
    Dependency,
    Resource,
    Service,
    System,
)

service_by_id = ById(Service)
api_by_id = ById(Api)
domain_by_id = ById(DataDomain)
resource_by_id = ById(Resource)
system_by_id = ById(System)
business_domain_by_id = ById(BusinessDomain)

services_of_team = ByForeignKey(Service, "owner_team")
services_in_domain = ByForeignKey(Service, "data_domain")
tags_of_service = ByForeignKey(Service.tags.through, "service", pick="tag")
apis_of_provider = ByForeignKey(Api, "provider")
apis_consumed_by = ByForeignKey(ApiConsumption, "consumer", pick="api")
consumers_of_api = ByForeignKey(ApiConsumption, "api", pick="consumer")
versions_of_api = ByForeignKey(ApiVersion, "api", select=("published_by",))
resources_of_service = ByForeignKey(Resource, "service")
resources_in_domain = ByForeignKey(Resource, "data_domain")
domains_of_service = ByForeignKey(DataDomain, "owner_service")
edges_from_service = ByForeignKey(Dependency, "source")
services_in_system = ByForeignKey(Service, "system")
apis_in_system = ByForeignKey(Api, "system")
resources_in_system = ByForeignKey(Resource, "system")
systems_in_business_domain = ByForeignKey(System, "business_domain")


def request_graph(info) -> DependencyGraph:
    """The dependency graph, loaded once per request however many services ask about it."""
    cache = request_cache(info)
    if "dependency_graph" not in cache:
        cache["dependency_graph"] = DependencyGraph.current()
    return cache["dependency_graph"]


class Reaches(Loader):
    """Services reached from each service through the request's graph, nearest first.

    One walk of the request's graph per service, and one query for all the services reached.
    """

    many = True

    def columns(self, info):
        reach_type = get_named_type(info.return_type)
        service_type = get_named_type(reach_type.fields["service"].type)
        nodes = subfields(info, info.field_nodes).get("service", [])
        # reaches_from orders the services by slug and joins their teams
        return tuple(
            sorted({*columns(info, Service, service_type, nodes), "slug", "owner_team__id"})
        )

    def fetch(self, info, keys, only, *, direction, max_depth):
        # Direct neighbours need only the edges around the keys, not the whole graph.
        return reaches_from(
            keys,
            direction,
            max_depth=max_depth,
            graph=None if max_depth == 1 else request_graph(info),
            queryset=restrict(Service.objects.only(*only), info.context.user),
        )

    def objects_in(self, values):
        return [reach.service for reaches in values for reach in reaches]


reaches = Reaches()
