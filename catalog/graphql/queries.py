import graphene

from portal.graphql.loaders import mark_siblings
from portal.graphql.queries import FilteredConnectionField, one_by_slug

from .. import graph
from ..filters import (
    ApiFilterSet,
    BusinessDomainFilterSet,
    DataDomainFilterSet,
    ResourceFilterSet,
    ServiceFilterSet,
    SystemFilterSet,
)
from ..models import Api, BusinessDomain, DataDomain, Resource, Service, System
from .coupling import CouplingQuery
from .loaders import request_graph
from .types import (
    ApiType,
    BusinessDomainType,
    Cycle,
    DataDomainType,
    ResourceType,
    ServiceType,
    SystemType,
)


def _by_slug(type_, model):
    return graphene.Field(
        type_,
        slug=graphene.String(required=True),
        resolver=lambda root, info, slug: one_by_slug(info, model, slug),
    )


class CatalogQuery(CouplingQuery, graphene.ObjectType):
    services = FilteredConnectionField(ServiceType, filterset_class=ServiceFilterSet)
    apis = FilteredConnectionField(ApiType, filterset_class=ApiFilterSet)
    domains = FilteredConnectionField(DataDomainType, filterset_class=DataDomainFilterSet)
    resources = FilteredConnectionField(ResourceType, filterset_class=ResourceFilterSet)
    systems = FilteredConnectionField(SystemType, filterset_class=SystemFilterSet)
    business_domains = FilteredConnectionField(
        BusinessDomainType, filterset_class=BusinessDomainFilterSet
    )
    service = _by_slug(ServiceType, Service)
    api = _by_slug(ApiType, Api)
    domain = _by_slug(DataDomainType, DataDomain)
    resource = _by_slug(ResourceType, Resource)
    system = _by_slug(SystemType, System)
    business_domain = _by_slug(BusinessDomainType, BusinessDomain)
    dependency_cycles = graphene.List(
        graphene.NonNull(Cycle), required=True, description="Every dependency cycle, largest first."
    )

    @staticmethod
    def resolve_dependency_cycles(root, info):
        cycles = graph.find_cycles(graph=request_graph(info))
        mark_siblings({service for cycle in cycles for service in cycle.services})
        return cycles
