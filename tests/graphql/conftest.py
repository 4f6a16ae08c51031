"""Helpers for talking to /graphql/ the way clients do: JSON over HTTP."""

import pytest
from django.test import Client


class GraphQLClient:
    def __init__(self, client: Client):
        self.client = client

    def post(self, query: str, variables: dict | None = None, **headers):
        """The HTTP response to one GraphQL request."""
        return self.client.post(
            "/graphql/",
            {"query": query, "variables": variables or {}},
            content_type="application/json",
            **headers,
        )

    def __call__(self, query: str, variables: dict | None = None) -> dict:
        """The response body of a request that must succeed without GraphQL errors."""
        response = self.post(query, variables)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body["errors"]
        return body["data"]


@pytest.fixture
def gql(client) -> GraphQLClient:
    """A GraphQL client; sign it in with ``gql.client.force_login(user)``."""
    return GraphQLClient(client)


@pytest.fixture
def member_gql(gql, member) -> GraphQLClient:
    """Signed in as a member of team ``payments``."""
    gql.client.force_login(member)
    return gql
