"""List pages are cached by catalog generation: never stale, revalidated with ETags."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.factories import ApiTokenFactory
from accounts.models import ApiToken
from catalog import actions
from portal.audit import system_actor


def test_a_cached_list_shows_a_write_at_once(service, member_client):
    # Given a list page read once (and so cached)
    first = member_client.get("/api/v1/services/")
    assert [s["tier"] for s in first.json()["results"]] == [3]

    # When the service changes through an action
    actions.update_service(service, actor=system_actor(), via="cli", tier=1)

    # Then the next read shows the change, under a new ETag
    second = member_client.get("/api/v1/services/")
    assert [s["tier"] for s in second.json()["results"]] == [1]
    assert second["ETag"] != first["ETag"]


def test_a_repeated_read_is_served_from_the_cache(service, member_client):
    member_client.get("/api/v1/services/?tier=3")

    with CaptureQueriesContext(connection) as queries:
        again = member_client.get("/api/v1/services/?tier=3")

    assert again.status_code == 200
    assert [s["slug"] for s in again.json()["results"]] == ["checkout"]
    assert len(queries) == 1  # the generation; authentication is forced in this client


def test_a_client_revalidates_with_its_etag(service, member_client):
    etag = member_client.get("/api/v1/services/")["ETag"]

    unchanged = member_client.get("/api/v1/services/", HTTP_IF_NONE_MATCH=etag)
    actions.update_service(service, actor=system_actor(), via="cli", name="Checkout 2")
    changed = member_client.get("/api/v1/services/", HTTP_IF_NONE_MATCH=etag)

    assert unchanged.status_code == 304
    assert changed.status_code == 200


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiTokenFactory(user=user).key}")
    return client


def test_a_token_read_from_the_cache_costs_one_query(service, member):
    # The token lookup reads the catalog generation in the same statement.
    client = token_client(member)
    client.get("/api/v1/services/")

    with CaptureQueriesContext(connection) as queries:
        again = client.get("/api/v1/services/")

    assert [s["slug"] for s in again.json()["results"]] == ["checkout"]
    assert len(queries) == 1
    assert (
        "portal_cataloggeneration" in queries[0]["sql"]
        and ApiToken._meta.db_table in queries[0]["sql"]
    )


def test_a_token_client_sees_a_write_made_between_its_reads(service, member, outsider):
    client = token_client(member)
    client.get("/api/v1/services/")
    # another user's write through another interface
    actions.update_service(service, actor=member, via="graphql", name="Checkout 3")
    token_client(outsider).get("/api/v1/services/")

    again = client.get("/api/v1/services/")

    assert [s["name"] for s in again.json()["results"]] == ["Checkout 3"]
