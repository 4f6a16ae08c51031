"""The GraphQL schema: each app contributes a query and a mutation mixin."""

import graphene

from catalog.graphql.mutations import CatalogMutation
from catalog.graphql.queries import CatalogQuery
from contracts.graphql.mutations import ContractsMutation
from contracts.graphql.queries import ContractsQuery
from descriptors.graphql.mutations import DescriptorsMutation
from descriptors.graphql.queries import DescriptorsQuery
from scaffolding.graphql.mutations import ScaffoldingMutation
from scaffolding.graphql.queries import ScaffoldingQuery
from teams.graphql.mutations import TeamsMutation
from teams.graphql.queries import TeamsQuery


class Query(
    CatalogQuery,
    TeamsQuery,
    ScaffoldingQuery,
    DescriptorsQuery,
    ContractsQuery,
    graphene.ObjectType,
):
    pass


class Mutation(
    CatalogMutation,
    TeamsMutation,
    ScaffoldingMutation,
    DescriptorsMutation,
    ContractsMutation,
    graphene.ObjectType,
):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
