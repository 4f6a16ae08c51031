"""Catalog query results are cached by catalog generation: never stale, never shared across
kinds of operation that must run every time."""

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from graphql import get_operation_ast

from accounts.factories import ApiTokenFactory
from catalog import actions
from portal.audit import system_actor
from portal.graphql.caching import cache_key
from portal.graphql.limits import parse_document

TIERS = "{ services { edges { node { slug tier } } } }"


def request_of(user):
    request = RequestFactory().post("/graphql/")
    request.user = user
    return request


def key_of(user, query: str, operation_name: str | None = None) -> str | None:
    operation = get_operation_ast(parse_document(query), operation_name)
    return cache_key(request_of(user), operation, query, {}, operation_name)


def test_a_repeated_catalog_query_is_answered_from_the_cache(member_gql, service):
    first = member_gql(TIERS)

    with CaptureQueriesContext(connection) as queries:
        again = member_gql(TIERS)

    assert again == first
    assert not any("catalog_service" in q["sql"] for q in queries.captured_queries)


def test_a_write_is_seen_by_the_next_query(member_gql, service):
    member_gql(TIERS)

    actions.update_service(service, actor=system_actor(), via="cli", tier=1)

    assert member_gql(TIERS)["services"]["edges"][0]["node"]["tier"] == 1


def test_a_mutation_through_graphql_is_seen_by_the_next_query(member_gql, service):
    member_gql(TIERS)

    member_gql(
        'mutation { updateService(input: {slug: "checkout", tier: 2}) { errors { field } } }'
    )

    assert member_gql(TIERS)["services"]["edges"][0]["node"]["tier"] == 2


def test_results_with_errors_are_not_kept(member_gql, service, settings):
    bad = "{ services { edges { node { slug nope } } } }"

    responses = [member_gql.post(bad) for _ in range(2)]

    assert [r.status_code for r in responses] == [400, 400]


def test_only_catalog_queries_are_cacheable(member, service):
    def key(query, operation=None):
        return key_of(member, query, operation)

    assert key(TIERS) is not None
    assert key("{ serviceTemplates { slug } }") is None
    assert key("{ services { totalCount } serviceTemplates { slug } }") is None
    assert key('mutation { deleteService(input: {slug: "x"}) { errors { field } } }') is None
    assert key("{ ...F } fragment F on Query { services { totalCount } }") is None
    assert key("query A { teams { totalCount } } query B { services { totalCount } }", "B")


def test_each_user_has_entries_of_their_own(member, outsider, service):
    assert key_of(member, TIERS) != key_of(outsider, TIERS)


def test_a_token_query_from_the_cache_costs_one_query(client, member, service):
    # The token lookup reads the catalog generation in the same statement.
    headers = {"HTTP_AUTHORIZATION": f"Token {ApiTokenFactory(user=member).key}"}

    def post():
        body = {"query": TIERS}
        return client.post("/graphql/", body, content_type="application/json", **headers)

    first = post()
    with CaptureQueriesContext(connection) as queries:
        again = post()
    statements = [query["sql"] for query in queries.captured_queries]
    actions.update_service(service, actor=system_actor(), via="cli", tier=1)
    after_write = post()

    assert again.json() == first.json()
    assert len(statements) == 1 and "portal_cataloggeneration" in statements[0]
    assert after_write.json()["data"]["services"]["edges"][0]["node"]["tier"] == 1
