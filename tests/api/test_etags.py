"""Reads are never cached: a read right after a write shows it. ETags are computed from the
body served, so a client revalidates with ``If-None-Match`` and gets 304 only for the same
data."""

from rest_framework.test import APIClient

from accounts.factories import ApiTokenFactory
from catalog import actions
from portal.audit import system_actor


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiTokenFactory(user=user).key}")
    return client


def test_a_read_shows_a_write_at_once_under_a_new_etag(service, member_client):
    first = member_client.get("/api/v1/services/")
    assert [s["tier"] for s in first.json()["results"]] == [3]

    actions.update_service(service, actor=system_actor(), via="cli", tier=1)

    second = member_client.get("/api/v1/services/")
    assert [s["tier"] for s in second.json()["results"]] == [1]
    assert second["ETag"] != first["ETag"]


def test_a_client_revalidates_with_its_etag(service, member_client):
    for url in ("/api/v1/services/", f"/api/v1/services/{service.slug}/", "/api/v1/teams/"):
        etag = member_client.get(url)["ETag"]
        unchanged = member_client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert unchanged.status_code == 304, url

    etag = member_client.get("/api/v1/services/")["ETag"]
    actions.update_service(service, actor=system_actor(), via="cli", name="Checkout 2")
    changed = member_client.get("/api/v1/services/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()["results"][0]["name"] == "Checkout 2"


def test_a_token_client_sees_a_write_made_between_its_reads(service, member, outsider):
    client = token_client(member)
    client.get(f"/api/v1/services/{service.slug}/")
    # another user's write through another interface
    actions.update_service(service, actor=member, via="graphql", name="Checkout 3")
    token_client(outsider).get("/api/v1/services/")

    again = client.get(f"/api/v1/services/{service.slug}/")

    assert again.json()["name"] == "Checkout 3"
