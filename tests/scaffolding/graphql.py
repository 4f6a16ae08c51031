"""Run GraphQL queries against the portal's schema with the scaffolding mixins in it (composed
here until portal/graphql/schema.py includes them)."""

import graphene
from django.test import RequestFactory

from portal.graphql import schema as portal_schema
from scaffolding.graphql.mutations import ScaffoldingMutation
from scaffolding.graphql.queries import ScaffoldingQuery


def schema():
    if issubclass(portal_schema.Query, ScaffoldingQuery):
        return portal_schema.schema
    query = type("Query", (ScaffoldingQuery, portal_schema.Query), {})
    mutation = type("Mutation", (ScaffoldingMutation, portal_schema.Mutation), {})
    return graphene.Schema(query=query, mutation=mutation)


def execute(user, query, **variables):
    request = RequestFactory().post("/graphql/")
    request.user = user
    result = schema().execute(query, variables=variables, context_value=request)
    assert not result.errors, result.errors
    return result.data
