"""The GraphQL schema: each app contributes a query and a mutation mixin."""

import graphene

from catalog.graphql.mutations import CatalogMutation
from catalog.graphql.queries import CatalogQuery
from contracts.graphql.mutations import ContractsMutation
from contracts.graphql.queries import ContractsQuery
from delivery.graphql.mutations import DeliveryMutation
from delivery.graphql.queries import DeliveryQuery
from descriptors.graphql.mutations import DescriptorsMutation
from descriptors.graphql.queries import DescriptorsQuery
from notifications.graphql.mutations import NotificationsMutation
from notifications.graphql.queries import NotificationsQuery
from scaffolding.graphql.mutations import ScaffoldingMutation
from scaffolding.graphql.queries import ScaffoldingQuery
from teams.graphql.mutations import TeamsMutation
from teams.graphql.queries import TeamsQuery

from .search import SearchQuery


class Query(
    CatalogQuery,
    TeamsQuery,
    ScaffoldingQuery,
    DescriptorsQuery,
    DeliveryQuery,
    SearchQuery,
    ContractsQuery,
    NotificationsQuery,
    graphene.ObjectType,
):
    pass


class Mutation(
    CatalogMutation,
    TeamsMutation,
    ScaffoldingMutation,
    DescriptorsMutation,
    DeliveryMutation,
    ContractsMutation,
    NotificationsMutation,
    graphene.ObjectType,
):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
