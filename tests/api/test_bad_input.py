"""Bad input on every endpoint is a 400 with field errors (or a 404), never a 500, and a
refused request leaves every row and every ChangeRecord as it was."""

import pytest

from tests.api.conftest import db_state

HUGE = "x" * 100_000

# (url, method, body, field that reports the error)
BAD_BODIES = [
    (
        "/api/v1/services/",
        "post",
        {"slug": "s1", "name": "S", "owner_team": "payments", "tier": "abc"},
        "tier",
    ),
    (
        "/api/v1/services/",
        "post",
        {"slug": "s1", "name": "S", "owner_team": "payments", "tier": 9},
        "tier",
    ),
    ("/api/v1/services/", "post", {"slug": "s1", "name": ["S"], "owner_team": "payments"}, "name"),
    ("/api/v1/services/", "post", {"slug": "s1", "name": HUGE, "owner_team": "payments"}, "name"),
    ("/api/v1/services/", "post", {"slug": HUGE, "name": "S", "owner_team": "payments"}, "slug"),
    (
        "/api/v1/services/",
        "post",
        {"slug": "Not A Slug", "name": "S", "owner_team": "payments"},
        "slug",
    ),
    (
        "/api/v1/services/",
        "post",
        {"slug": "checkout", "name": "S", "owner_team": "payments"},
        "slug",
    ),
    ("/api/v1/services/", "post", {"slug": "s1", "name": "S", "owner_team": "nope"}, "owner_team"),
    ("/api/v1/services/", "post", {"slug": "s1", "name": "S", "owner_team": HUGE}, "owner_team"),
    (
        "/api/v1/services/",
        "post",
        {"slug": "s1", "name": "S", "owner_team": {"slug": "payments"}},
        "owner_team",
    ),
    (
        "/api/v1/services/",
        "post",
        {"slug": "s1", "name": "S", "owner_team": "payments", "tags": "pci"},
        "tags",
    ),
    (
        "/api/v1/services/",
        "post",
        {"slug": "s1", "name": "S", "owner_team": "payments", "tags": ["Not a tag!"]},
        "tags",
    ),
    (
        "/api/v1/services/",
        "post",
        {"slug": "s1", "name": "S", "owner_team": "payments", "data_domain": "nope"},
        "data_domain",
    ),
    (
        "/api/v1/services/",
        "post",
        {"slug": "s1", "name": "S", "owner_team": "payments", "lifecycle": "retired"},
        "lifecycle",
    ),
    (
        "/api/v1/services/",
        "post",
        {"slug": "s1", "name": "S", "owner_team": "payments", "repository_url": "not a url"},
        "repository_url",
    ),
    (
        "/api/v1/services/",
        "post",
        {"slug": "s1", "name": "S\x00", "owner_team": "payments"},
        "name",
    ),
    ("/api/v1/services/", "post", {"name": "S", "owner_team": "payments"}, "slug"),
    ("/api/v1/services/checkout/", "patch", {"tier": "1st"}, "tier"),
    ("/api/v1/services/checkout/", "patch", {"slug": "renamed"}, "slug"),
    ("/api/v1/services/checkout/", "patch", {"owner_team": "search"}, "owner_team"),
    ("/api/v1/services/checkout/", "patch", {"tags": ["fresh"], "slug": "renamed"}, "slug"),
    ("/api/v1/services/checkout/", "patch", {"description": HUGE}, "description"),
    ("/api/v1/services/checkout/", "put", {"name": "Checkout"}, "slug"),
    ("/api/v1/services/checkout/transfer/", "post", {"owner_team": "nope"}, "owner_team"),
    ("/api/v1/services/checkout/transfer/", "post", {"owner_team": "payments"}, "owner_team"),
    ("/api/v1/services/checkout/transfer/", "post", {}, "owner_team"),
    (
        "/api/v1/apis/",
        "post",
        {"slug": "a1", "name": "A", "provider": "checkout", "type": "soap"},
        "type",
    ),
    (
        "/api/v1/apis/",
        "post",
        {"slug": "a1", "name": "A", "provider": "nope", "type": "openapi"},
        "provider",
    ),
    (
        "/api/v1/apis/",
        "post",
        {"slug": "a1", "name": "A", "provider": "checkout", "type": ["openapi"]},
        "type",
    ),
    ("/api/v1/apis/checkout-api/", "patch", {"type": "graphql"}, "type"),
    ("/api/v1/apis/checkout-api/", "patch", {"provider": "ledger"}, "provider"),
    (
        "/api/v1/apis/checkout-api/versions/",
        "post",
        {"version": "1.0.0", "spec": "openapi: 3.1.0"},
        "spec",
    ),
    ("/api/v1/apis/checkout-api/versions/", "post", {"version": "a/b c", "spec": "x"}, "version"),
    ("/api/v1/apis/checkout-api/versions/", "post", {"version": HUGE, "spec": "x"}, "version"),
    ("/api/v1/apis/checkout-api/versions/", "post", {"version": "2.0.0"}, "spec"),
    (
        "/api/v1/apis/checkout-api/versions/",
        "post",
        {"version": "2.0.0", "spec": {"openapi": "3.1.0"}},
        "spec",
    ),
    (
        "/api/v1/domains/",
        "post",
        {"slug": "d1", "name": "D", "owner_service": "nope"},
        "owner_service",
    ),
    ("/api/v1/domains/", "post", {"slug": "d1", "name": "D", "owner_service": 42}, "owner_service"),
    ("/api/v1/domains/orders/", "patch", {"owner_service": "ledger"}, "owner_service"),
    ("/api/v1/domains/orders/transfer/", "post", {"owner_service": "checkout"}, "owner_service"),
    (
        "/api/v1/resources/",
        "post",
        {"slug": "r1", "name": "R", "kind": "disk", "service": "checkout"},
        "kind",
    ),
    (
        "/api/v1/resources/",
        "post",
        {"slug": "r1", "name": "R", "kind": "cache", "service": "nope"},
        "service",
    ),
    ("/api/v1/resources/orders-db/", "patch", {"service": "ledger"}, "service"),
    (
        "/api/v1/dependencies/",
        "post",
        {"source": "checkout", "target_service": "checkout"},
        "target_service",
    ),
    (
        "/api/v1/dependencies/",
        "post",
        {"source": "checkout", "target_service": "ledger"},
        "target_service",
    ),
    ("/api/v1/dependencies/", "post", {"source": "checkout"}, "target_service"),
    (
        "/api/v1/dependencies/",
        "post",
        {"source": "checkout", "target_service": "ledger", "target_resource": "orders-db"},
        "target_service",
    ),
    (
        "/api/v1/dependencies/",
        "post",
        {"source": "checkout", "target_service": "finder", "criticality": "extreme"},
        "criticality",
    ),
    ("/api/v1/consumptions/", "post", {"consumer": "checkout", "api": "checkout-api"}, "api"),
    ("/api/v1/consumptions/", "post", {"consumer": "checkout", "api": "finder-api"}, "api"),
    ("/api/v1/consumptions/", "post", {"consumer": "checkout", "api": "nope"}, "api"),
    ("/api/v1/teams/", "post", {"slug": "t1", "name": "T", "email": "not-an-email"}, "email"),
    ("/api/v1/teams/", "post", {"slug": "t1", "name": "T", "parent": "nope"}, "parent"),
    ("/api/v1/teams/", "post", {"slug": "payments", "name": "T"}, "slug"),
    ("/api/v1/teams/payments/", "patch", {"parent": "payments"}, "parent"),
    ("/api/v1/teams/payments/", "patch", {"slug": "pay"}, "slug"),
    ("/api/v1/teams/payments/members/", "post", {"user": "nobody", "role": "member"}, "user"),
    ("/api/v1/teams/payments/members/", "post", {"user": "staff", "role": "boss"}, "role"),
    ("/api/v1/teams/payments/members/{member}/", "patch", {"role": "boss"}, "role"),
    ("/api/v1/teams/payments/members/{member}/", "patch", {"user": "staff"}, "user"),
    ("/api/v1/teams/payments/members/{member}/", "patch", {}, "role"),
    ("/api/v1/teams/payments/members/{lead}/", "patch", {"role": "member"}, "user"),
]

POST_URLS = [
    "/api/v1/teams/",
    "/api/v1/teams/payments/members/",
    "/api/v1/services/",
    "/api/v1/services/checkout/transfer/",
    "/api/v1/apis/",
    "/api/v1/apis/checkout-api/versions/",
    "/api/v1/domains/",
    "/api/v1/domains/orders/transfer/",
    "/api/v1/resources/",
    "/api/v1/dependencies/",
    "/api/v1/consumptions/",
]


@pytest.mark.parametrize(("url", "method", "body", "field"), BAD_BODIES)
def test_bad_bodies_are_field_errors_and_change_nothing(
    url, method, body, field, world, staff_client
):
    # given staff, who may write anything, so that only the input is at fault
    url = url.format(member=world.member.username, lead=world.lead.username)
    before = db_state()
    # when the request has a bad body
    response = getattr(staff_client, method)(url, body, format="json")
    # then it is a 400 naming the field, and nothing was written
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert db_state() == before


def test_a_refused_update_leaves_the_values_and_the_history_as_they_were(world, staff_client):
    before = db_state()
    response = staff_client.patch(
        "/api/v1/services/checkout/", {"name": "Renamed", "slug": "renamed"}, format="json"
    )
    assert response.status_code == 400
    world.checkout.refresh_from_db()
    assert (world.checkout.slug, world.checkout.name) == ("checkout", "Checkout")
    assert db_state() == before


@pytest.mark.parametrize("url", POST_URLS)
@pytest.mark.parametrize(
    "payload",
    ['{"slug": "x",', "[1, 2]", '"just a string"', "\xff\xfe"],
    ids=["truncated", "list", "string", "not-utf8"],
)
def test_malformed_json_is_a_400(url, payload, world, staff_client):
    before = db_state()
    response = staff_client.generic(
        "POST", url, payload.encode("latin-1"), content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert db_state() == before


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/services/nope/"),
        ("patch", "/api/v1/services/nope/"),
        ("delete", "/api/v1/services/nope/"),
        ("post", "/api/v1/services/nope/transfer/"),
        ("get", "/api/v1/services/nope/history/"),
        ("get", "/api/v1/services/nope/dependencies/"),
        ("get", "/api/v1/services/nope/dependents/"),
        ("get", "/api/v1/services/nope/blast-radius/"),
        ("get", f"/api/v1/services/{'x' * 100_000}/"),
        ("get", "/api/v1/teams/nope/"),
        ("get", "/api/v1/teams/nope/members/"),
        ("post", "/api/v1/teams/nope/members/"),
        ("get", "/api/v1/teams/payments/members/nobody/"),
        ("patch", "/api/v1/teams/payments/members/nobody/"),
        ("delete", "/api/v1/teams/payments/members/nobody/"),
        ("delete", "/api/v1/teams/payments/members/staff/"),  # a user, but not a member
        ("get", "/api/v1/apis/nope/"),
        ("get", "/api/v1/apis/nope/versions/"),
        ("post", "/api/v1/apis/nope/versions/"),
        ("get", "/api/v1/apis/checkout-api/versions/9.9.9/"),
        ("get", "/api/v1/apis/checkout-api/versions/9.9.9/spec/"),
        ("get", "/api/v1/domains/nope/"),
        ("post", "/api/v1/domains/nope/transfer/"),
        ("get", "/api/v1/resources/nope/"),
        ("get", "/api/v1/dependencies/999999/"),
        ("get", "/api/v1/dependencies/99999999999999999999999999/"),
        ("get", "/api/v1/dependencies/abc/"),
        ("delete", "/api/v1/consumptions/999999/"),
        ("get", "/api/v1/consumptions/999999/history/"),
    ],
)
def test_unknown_objects_are_404(method, url, world, staff_client):
    before = db_state()
    response = getattr(staff_client, method)(url, {}, format="json")
    assert response.status_code == 404
    assert db_state() == before


def test_a_consumption_changes_its_version_requirement_but_not_its_ends(world, staff_client):
    url = f"/api/v1/consumptions/{world.consumption.pk}/"

    changed = staff_client.patch(url, {"version_requirement": ">=2"}, format="json")
    moved = staff_client.patch(url, {"consumer": world.ledger.slug}, format="json")

    assert changed.status_code == 200, changed.content
    assert changed.json()["version_requirement"] == ">=2"
    assert moved.status_code == 400
    assert "consumer" in moved.json()


@pytest.mark.parametrize(
    "query",
    [
        "tier=abc",
        "tier=9",
        "lifecycle=retired",
        "kind=mainframe",
        "ordering=owner_team__members__password",
        "ordering=slug,nope",
        "q=\x00",
    ],
)
def test_invalid_filters_are_a_400_with_a_message(query, world, staff_client):
    response = staff_client.get(f"/api/v1/services/?{query}")
    assert response.status_code == 400
    field = query.split("=")[0]
    assert response.json()[field]


@pytest.mark.parametrize(
    "query", ["max_depth=0", "max_depth=abc", "max_depth=101", "transitive=maybe"]
)
@pytest.mark.parametrize("walk", ["dependencies", "dependents"])
def test_invalid_graph_parameters_are_a_400(walk, query, world, staff_client):
    response = staff_client.get(f"/api/v1/services/checkout/{walk}/?{query}")
    assert response.status_code == 400
    assert response.json()[query.split("=")[0]]
