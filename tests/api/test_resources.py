"""Resources over REST: owned by a team directly or through their service, with one rule
(a service's resource is its team's), and permission decided by the owning team."""

from catalog.factories import ResourceFactory
from catalog.models import Resource


def test_a_team_resource_is_written_by_its_team_only(world, client_for):
    ResourceFactory(slug="receipts", service=None, owner_team=world.team, kind="bucket")
    url = "/api/v1/resources/receipts/"
    refused = client_for(world.outsider).patch(url, {"kind": "cache"}, format="json")
    assert refused.status_code == 403 and "payments" in refused.json()["detail"]
    assert Resource.objects.get(slug="receipts").kind == "bucket"
    allowed = client_for(world.member).patch(
        url, {"kind": "cache", "system": "shop"}, format="json"
    )
    assert allowed.status_code == 200, allowed.content
    body = allowed.json()
    assert (body["kind"], body["owner_team"], body["service"], body["system"]) == (
        "cache", "payments", None, "shop"
    )  # fmt: skip


def test_a_service_resource_takes_its_services_team(world, client_for):
    response = client_for(world.member).post(
        "/api/v1/resources/",
        {"slug": "ledger-db", "name": "Ledger DB", "kind": "database", "service": "ledger"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["owner_team"] == "payments"


def test_a_service_resource_of_another_team_is_a_field_error(world, client_for, staff):
    before = Resource.objects.count()
    response = client_for(staff).post(
        "/api/v1/resources/",
        {
            "slug": "x-db",
            "name": "X",
            "kind": "database",
            "service": "ledger",
            "owner_team": "search",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "payments" in str(response.json()["owner_team"])
    assert Resource.objects.count() == before


def test_a_resource_needs_a_team_or_a_service(world, client_for):
    response = client_for(world.member).post(
        "/api/v1/resources/", {"slug": "x-db", "name": "X", "kind": "database"}, format="json"
    )
    assert response.status_code == 400
    assert "owner_team" in response.json()


def test_a_transferred_service_takes_its_resources_along(world, client_for):
    response = client_for(world.member).post(
        "/api/v1/services/checkout/transfer/", {"owner_team": "search"}, format="json"
    )
    assert response.status_code == 200, response.content
    resource = Resource.objects.get(slug="orders-db")
    assert resource.owner_team.slug == "search"
    history = client_for(world.member).get("/api/v1/resources/orders-db/history/").json()
    assert history["results"][0]["action"] == "transfer"


def test_resources_are_filtered_by_their_owner_team(world, client_for):
    ResourceFactory(slug="receipts", service=None, owner_team=world.team, kind="bucket")
    ResourceFactory(slug="index", service=None, owner_team=world.search, kind="database")
    response = client_for(world.member).get("/api/v1/resources/?owner_team=payments")
    assert sorted(r["slug"] for r in response.json()["results"]) == ["orders-db", "receipts"]
