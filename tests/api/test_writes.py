"""Every write through REST: who may make it, that it lands, and that it leaves a ChangeRecord
with interface "api"; who may not, and that a refusal leaves the database as it was."""

import pytest

from catalog.factories import openapi_document
from portal.models import ChangeRecord
from tests.api.conftest import api_records, db_state

A = ChangeRecord.Action


def _writes(w):
    """name -> (method, url, body, expected status, history action, who may: member|lead)."""
    return {
        "create service": (
            "post",
            "/api/v1/services/",
            {"slug": "refunds", "name": "Refunds", "owner_team": "payments", "tags": ["pci"]},
            201,
            A.CREATE,
            "member",
        ),
        "update service": (
            "patch",
            "/api/v1/services/checkout/",
            {"tier": 1, "tags": ["pci"]},
            200,
            A.UPDATE,
            "member",
        ),
        "replace service": (
            "put",
            "/api/v1/services/ledger/",
            {"slug": "ledger", "name": "General ledger", "owner_team": "payments"},
            200,
            A.UPDATE,
            "member",
        ),
        "delete service": ("delete", "/api/v1/services/spare/", None, 204, A.DELETE, "member"),
        "transfer service": (
            "post",
            "/api/v1/services/ledger/transfer/",
            {"owner_team": "search"},
            200,
            A.TRANSFER,
            "member",
        ),
        "create api": (
            "post",
            "/api/v1/apis/",
            {"slug": "ledger-api", "name": "Ledger", "provider": "ledger", "type": "graphql"},
            201,
            A.CREATE,
            "member",
        ),
        "update api": (
            "patch",
            "/api/v1/apis/checkout-api/",
            {"lifecycle": "production"},
            200,
            A.UPDATE,
            "member",
        ),
        "delete api": ("delete", "/api/v1/apis/spare-api/", None, 204, A.DELETE, "member"),
        "publish version": (
            "post",
            "/api/v1/apis/checkout-api/versions/",
            {"version": "1.1.0", "spec": openapi_document("Checkout", "1.1.0")},
            201,
            A.PUBLISH,
            "member",
        ),
        "create domain": (
            "post",
            "/api/v1/domains/",
            {"slug": "ledgers", "name": "Ledgers", "owner_service": "ledger"},
            201,
            A.CREATE,
            "member",
        ),
        "update domain": (
            "patch",
            "/api/v1/domains/orders/",
            {"name": "All orders"},
            200,
            A.UPDATE,
            "member",
        ),
        "transfer domain": (
            "post",
            "/api/v1/domains/orders/transfer/",
            {"owner_service": "ledger"},
            200,
            A.TRANSFER,
            "member",
        ),
        "delete domain": ("delete", "/api/v1/domains/orders/", None, 204, A.DELETE, "member"),
        "create resource": (
            "post",
            "/api/v1/resources/",
            {
                "slug": "ledger-db",
                "name": "Ledger DB",
                "kind": "database",
                "service": "ledger",
                "data_domain": "orders",
            },
            201,
            A.CREATE,
            "member",
        ),
        "create team resource": (
            "post",
            "/api/v1/resources/",
            {
                "slug": "receipts",
                "name": "Receipts",
                "kind": "bucket",
                "type": "s3-bucket",
                "owner_team": "payments",
                "system": "shop",
            },
            201,
            A.CREATE,
            "member",
        ),
        "update resource": (
            "patch",
            "/api/v1/resources/orders-db/",
            {"kind": "cache"},
            200,
            A.UPDATE,
            "member",
        ),
        "delete resource": (
            "delete",
            "/api/v1/resources/orders-db/",
            None,
            204,
            A.DELETE,
            "member",
        ),
        "add dependency": (
            "post",
            "/api/v1/dependencies/",
            {"source": "checkout", "target_resource": "orders-db", "kind": "data"},
            201,
            A.CREATE,
            "member",
        ),
        "update dependency": (
            "patch",
            f"/api/v1/dependencies/{w.dependency.pk}/",
            {"criticality": "high"},
            200,
            A.UPDATE,
            "member",
        ),
        "delete dependency": (
            "delete",
            f"/api/v1/dependencies/{w.dependency.pk}/",
            None,
            204,
            A.DELETE,
            "member",
        ),
        "add consumption": (
            "post",
            "/api/v1/consumptions/",
            {"consumer": "ledger", "api": "finder-api", "version_requirement": ">=1"},
            201,
            A.CREATE,
            "member",
        ),
        "delete consumption": (
            "delete",
            f"/api/v1/consumptions/{w.consumption.pk}/",
            None,
            204,
            A.DELETE,
            "member",
        ),
        "create system": (
            "post",
            "/api/v1/systems/",
            {"slug": "ledgers", "name": "Ledgers", "owner_team": "payments"},
            201,
            A.CREATE,
            "member",
        ),
        "update system": (
            "patch",
            "/api/v1/systems/shop/",
            {"name": "The shop", "business_domain": None},
            200,
            A.UPDATE,
            "member",
        ),
        "transfer system": (
            "post",
            "/api/v1/systems/shop/transfer/",
            {"owner_team": "search"},
            200,
            A.TRANSFER,
            "member",
        ),
        "delete system": ("delete", "/api/v1/systems/shop/", None, 204, A.DELETE, "member"),
        "create business domain": (
            "post",
            "/api/v1/business-domains/",
            {"slug": "finance", "name": "Finance", "owner_team": "payments"},
            201,
            A.CREATE,
            "member",
        ),
        "update business domain": (
            "put",
            "/api/v1/business-domains/commerce/",
            {"slug": "commerce", "name": "Selling", "owner_team": "payments"},
            200,
            A.UPDATE,
            "member",
        ),
        "transfer business domain": (
            "post",
            "/api/v1/business-domains/commerce/transfer/",
            {"owner_team": "search"},
            200,
            A.TRANSFER,
            "member",
        ),
        "delete business domain": (
            "delete",
            "/api/v1/business-domains/commerce/",
            None,
            204,
            A.DELETE,
            "member",
        ),
        "update team": (
            "patch",
            "/api/v1/teams/payments/",
            {"chat_channel": "#pay"},
            200,
            A.UPDATE,
            "lead",
        ),
        "add member": (
            "post",
            "/api/v1/teams/payments/members/",
            {"user": w.outsider.username, "role": "member"},
            201,
            A.ADD_MEMBER,
            "lead",
        ),
        "change role": (
            "patch",
            f"/api/v1/teams/payments/members/{w.member.username}/",
            {"role": "lead"},
            200,
            A.CHANGE_ROLE,
            "lead",
        ),
        "remove member": (
            "delete",
            f"/api/v1/teams/payments/members/{w.member.username}/",
            None,
            204,
            A.REMOVE_MEMBER,
            "lead",
        ),
        "delete team": ("delete", "/api/v1/teams/search/", None, 400, None, None),  # owns finder
    }


WRITES = [
    "create service", "update service", "replace service", "delete service", "transfer service",
    "create api", "update api", "delete api", "publish version",
    "create domain", "update domain", "transfer domain", "delete domain",
    "create resource", "create team resource", "update resource", "delete resource",
    "add dependency", "update dependency", "delete dependency",
    "add consumption", "delete consumption",
    "create system", "update system", "transfer system", "delete system",
    "create business domain", "update business domain", "transfer business domain",
    "delete business domain",
    "update team", "add member", "change role", "remove member",
]  # fmt: skip


def _send(client, method, url, body):
    return (
        getattr(client, method)(url, body, format="json") if body else getattr(client, method)(url)
    )


@pytest.mark.parametrize("name", WRITES)
def test_the_owning_team_writes_and_history_records_the_api(name, world, client_for):
    # given a user of the owning team (a lead where the write manages the team)
    method, url, body, status, action, who = _writes(world)[name]
    user = world.lead if who == "lead" else world.member
    records = api_records(actor=user, **({"action": action} if action else {}))
    records_before = records.count()
    # when they send the write
    response = _send(client_for(user), method, url, body)
    # then it succeeds and is recorded as made through the REST API by them
    assert response.status_code == status, response.content
    assert records.count() > records_before


@pytest.mark.parametrize("name", WRITES)
def test_staff_may_write_anything(name, world, client_for, staff):
    method, url, body, status, action, _ = _writes(world)[name]
    response = _send(client_for(staff), method, url, body)
    assert response.status_code == status, response.content
    assert api_records(actor=staff, **({"action": action} if action else {})).exists()


@pytest.mark.parametrize("name", WRITES)
def test_a_member_of_another_team_is_refused_and_nothing_changes(name, world, client_for):
    # given a signed-in user of team search, and the database as it is
    method, url, body, *_ = _writes(world)[name]
    before = db_state()
    # when they try a write on payments' objects
    response = _send(client_for(world.outsider), method, url, body)
    # then it is refused with the sentence saying who may, and nothing changed
    assert response.status_code == 403, response.content
    assert "payments" in response.json()["detail"]
    assert db_state() == before


@pytest.mark.parametrize("name", WRITES)
def test_anonymous_writes_are_refused_as_json(name, world, anon_client):
    method, url, body, *_ = _writes(world)[name]
    before = db_state()
    response = _send(anon_client, method, url, body)
    assert response.status_code in (401, 403)
    assert response["Content-Type"] == "application/json"
    assert "credentials" in response.json()["detail"]
    assert db_state() == before


@pytest.mark.parametrize("name", ["update team", "add member", "change role", "remove member"])
def test_only_leads_manage_their_team(name, world, client_for):
    method, url, body, *_ = _writes(world)[name]
    before = db_state()
    response = _send(client_for(world.member), method, url, body)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Only leads of team payments")
    assert db_state() == before


def test_a_team_that_owns_services_is_not_deleted(world, staff_client):
    before = db_state()
    response = staff_client.delete("/api/v1/teams/search/")
    assert response.status_code == 400
    assert "finder" in response.json()["non_field_errors"][0]
    assert db_state() == before


def test_a_service_others_depend_on_is_not_deleted(world, client_for):
    # given ledger, which checkout depends on
    before = db_state()
    response = client_for(world.member).delete("/api/v1/services/ledger/")
    assert response.status_code == 400
    assert "checkout" in response.json()["non_field_errors"][0]
    assert db_state() == before


def test_any_signed_in_user_starts_a_team_and_leads_it(world, client_for):
    response = client_for(world.outsider).post(
        "/api/v1/teams/", {"slug": "growth", "name": "Growth", "parent": "payments"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["parent"] == "payments"
    assert response.json()["members"] == [
        {
            "user": world.outsider.username,
            "role": "lead",
            "created_at": response.json()["members"][0]["created_at"],
        }
    ]
    assert api_records(actor=world.outsider, action=A.CREATE).exists()


def test_a_put_may_repeat_create_only_fields_unchanged(world, client_for):
    # given the representation a client just read, with one field edited
    client = client_for(world.member)
    body = client.get("/api/v1/services/checkout/").json()
    body["name"] = "Till"
    # when it is sent back whole
    response = client.put("/api/v1/services/checkout/", body, format="json")
    # then the unchanged slug and owner are accepted, and only the name changed
    assert response.status_code == 200, response.content
    [record] = api_records(actor=world.member)
    assert record.changed_fields == ["name"]
