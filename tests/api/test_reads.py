"""What the collections show, how they filter, order and page, and who may read them."""

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.factories import ApiTokenFactory
from catalog.factories import DependencyFactory, ServiceFactory
from teams.models import Team


def test_a_service_in_a_list_shows_its_owner_team_and_tags(world, client_for):
    ServiceFactory(slug="tagged", owner_team=world.team, tags=["pci", "payments"])
    response = client_for(world.outsider).get("/api/v1/services/?q=tagged")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["owner_team"] == "payments"
    assert row["tags"] == ["payments", "pci"]
    assert "dependencies" not in row  # the neighbourhood is for the detail


def test_a_service_detail_shows_its_neighbourhood(world, client_for):
    # given checkout: provides checkout-api, consumes finder-api, owns orders-db, depends on
    # ledger and finder (the consumption implies it), and spare depends on it
    client_for(world.member).post(
        "/api/v1/dependencies/", {"source": "spare", "target_service": "checkout"}, format="json"
    )
    # when anyone signed in reads it
    body = client_for(world.outsider).get("/api/v1/services/checkout/").json()
    # then every part of its neighbourhood is there, by slug
    assert body["owner_team"] == "payments"
    assert [a["slug"] for a in body["provided_apis"]] == ["checkout-api"]
    assert [(c["api"], c["provider"]) for c in body["consumed_apis"]] == [("finder-api", "finder")]
    assert [r["slug"] for r in body["resources"]] == ["orders-db"]
    assert sorted(d["target_service"] for d in body["dependencies"]) == ["finder", "ledger"]
    assert [d["source"] for d in body["dependents"]] == ["spare"]


def test_a_team_shows_its_members_with_their_roles(world, client_for):
    body = client_for(world.outsider).get("/api/v1/teams/payments/").json()
    assert {(m["user"], m["role"]) for m in body["members"]} == {
        (world.lead.username, "lead"),
        (world.member.username, "member"),
    }


def test_an_api_shows_its_provider_team_and_latest_version(world, client_for):
    client_for(world.member).post(
        "/api/v1/apis/checkout-api/versions/",
        {"version": "1.1.0", "spec": world.api.versions.get().spec},
        format="json",
    )
    body = client_for(world.outsider).get("/api/v1/apis/checkout-api/").json()
    assert (body["provider"], body["owner_team"], body["latest_version"]) == (
        "checkout",
        "payments",
        "1.1.0",
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("owner_team=search", ["finder"]),
        ("q=ledg", ["ledger"]),
        ("tier=3&owner_team=payments", ["checkout", "ledger", "spare"]),
        ("tag=pci", ["refunds"]),
        ("lifecycle=production", ["refunds"]),
        ("ordering=-slug&owner_team=payments", ["spare", "refunds", "ledger", "checkout"]),
        ("ordering=tier,slug", ["refunds", "checkout", "finder", "ledger", "spare"]),
    ],
)
def test_services_filter_and_order(query, expected, world, client_for):
    ServiceFactory(
        slug="refunds", owner_team=world.team, tier=1, lifecycle="production", tags=["pci"]
    )
    response = client_for(world.outsider).get(f"/api/v1/services/?{query}")
    assert response.status_code == 200
    assert [row["slug"] for row in response.json()["results"]] == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/api/v1/teams/?member={member}", ["payments"]),
        ("/api/v1/apis/?owner_team=search", ["finder-api"]),
        ("/api/v1/apis/?type=openapi&ordering=-slug", ["spare-api", "finder-api", "checkout-api"]),
        ("/api/v1/domains/?owner_team=payments", ["orders"]),
        ("/api/v1/resources/?service=checkout", ["orders-db"]),
        ("/api/v1/dependencies/?target_service=ledger", ["checkout"]),
        ("/api/v1/consumptions/?provider=finder", ["checkout"]),
    ],
)
def test_every_collection_filters(url, expected, world, client_for):
    response = client_for(world.outsider).get(url.format(member=world.member.username))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row.get("slug") or row.get("source") or row.get("consumer") for row in rows] == expected


def test_a_huge_page_size_is_capped_at_the_maximum_and_never_an_error(db, client_for, staff):
    # given more teams than the largest page (bulk-created: the cap is what is under test)
    Team.objects.bulk_create(Team(slug=f"bulk-{i:03}", name=f"Bulk {i}") for i in range(501))
    # when a client asks for an absurd page size
    response = client_for(staff).get(f"/api/v1/teams/?page_size={10**30}")
    # then it gets the maximum of 500, and a link to the rest
    assert response.status_code == 200
    body = response.json()
    assert (len(body["results"]), body["count"]) == (500, 501)
    assert "page=2" in body["next"]


@pytest.mark.parametrize("page_size", ["-1", "0", "000", "abc", "null", "1.5", "\u0661"])
def test_a_nonsense_page_size_is_a_400_with_a_message(page_size, world, client_for):
    # the document says "integer, at least 1": quietly using the default hid the mistake
    response = client_for(world.member).get(f"/api/v1/services/?page_size={page_size}")
    assert response.status_code == 400
    assert response.json() == {"page_size": ["Give a whole number of at least 1."]}


def test_a_page_past_the_end_is_a_404_with_a_message(world, client_for):
    response = client_for(world.member).get("/api/v1/services/?page=99")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_history_lists_each_change_with_who_and_how(world, client_for):
    # given a rename through the API after the creation by the system account
    client_for(world.member).patch("/api/v1/services/checkout/", {"name": "Till"}, format="json")
    # when the history is read
    body = client_for(world.outsider).get("/api/v1/services/checkout/history/").json()
    # then the newest change comes first with actor, interface, before/after and fields
    latest, *_, first = body["results"]
    assert (latest["actor"], latest["interface"], latest["action"]) == (
        world.member.username,
        "api",
        "update",
    )
    assert (latest["before"]["name"], latest["after"]["name"]) == ("Checkout", "Till")
    assert latest["changed_fields"] == ["name"]
    assert (first["actor"], first["action"]) == ("keel-system", "create")


def test_team_history_includes_membership_changes(world, client_for):
    client_for(world.lead).patch(
        f"/api/v1/teams/payments/members/{world.member.username}/", {"role": "lead"}, format="json"
    )
    body = client_for(world.member).get("/api/v1/teams/payments/history/?page_size=1").json()
    assert body["count"] > 1 and len(body["results"]) == 1
    assert body["results"][0]["action"] == "change_role"
    assert body["results"][0]["after"] == {"user": world.member.username, "role": "lead"}


def test_dependency_history_is_addressed_by_id(world, client_for):
    body = client_for(world.member).get(f"/api/v1/dependencies/{world.dependency.pk}/history/")
    assert body.json()["results"][0]["action"] == "create"


@pytest.mark.parametrize(
    "url", ["/api/v1/services/", "/api/v1/services/checkout/", "/api/v1/graph/cycles/"]
)
def test_anonymous_reads_are_refused_as_json(url, world, anon_client):
    response = anon_client.get(url)
    assert response.status_code in (401, 403)
    assert response.json()["detail"] == "Authentication credentials were not provided."


def test_a_deactivated_users_token_stops_working(world):
    key = ApiTokenFactory(user=world.member).key
    world.member.is_active = False
    world.member.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/services/")
    assert response.status_code in (401, 403)
    assert response.json()["detail"] == "User inactive or deleted."


def test_token_authentication_reads_and_writes(world):
    # given a read-write token issued with the documented command
    out = StringIO()
    call_command("create_token", world.member.username, name="ci", scope="write", stdout=out)
    key = out.getvalue().strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    # when the client reads and writes with it
    read = client.get("/api/v1/services/checkout/")
    write = client.patch("/api/v1/services/checkout/", {"tier": 2}, format="json")
    # then both work, and the change is recorded against the token's user
    assert (read.status_code, write.status_code) == (200, 200)
    assert world.checkout.__class__.objects.get(slug="checkout").tier == 2
    assert world.member.change_records.filter(interface="api").exists()


def test_a_wrong_token_is_refused(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    response = client.get("/api/v1/services/")
    assert response.status_code in (401, 403)
    assert response.json()["detail"] == "Invalid token."


def test_session_authentication_reads_and_requires_csrf_for_writes(world):
    # given a browser session (logged in with a password, CSRF checks on)
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username=world.member.username, password="keel-password")
    # then it reads, and a write without the CSRF token is refused untouched
    assert client.get("/api/v1/services/").status_code == 200
    response = client.patch("/api/v1/services/checkout/", {"tier": 1}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_core_service_shows_its_first_dependents_and_how_many_there_are(
    world, client_for, monkeypatch
):
    # A core service can have thousands of dependents: the detail shows the first few by
    # slug and the count; dependents/ pages through them all.
    monkeypatch.setattr("catalog.querysets.DEPENDENTS_SHOWN", 2)
    for slug in ["zeta", "alpha", "mid"]:
        DependencyFactory(source=ServiceFactory(slug=slug), target_service=world.checkout)

    body = client_for(world.outsider).get("/api/v1/services/checkout/").json()
    paged = client_for(world.outsider).get("/api/v1/services/checkout/dependents/").json()

    assert [d["source"] for d in body["dependents"]] == ["alpha", "mid"]
    assert body["dependents_count"] == 3
    assert paged["count"] == 3
    alone = client_for(world.outsider).get("/api/v1/services/alpha/").json()
    assert (alone["dependents"], alone["dependents_count"]) == ([], 0)
