"""``GET /api/v1/<kind>/<slug>/state/?at=<time>``: who owned service X at time T, from the
history, for objects deleted since too; and request ids on records and responses."""

import logging
from datetime import timedelta

import pytest

from catalog import actions
from catalog.factories import DependencyFactory, ServiceFactory
from portal.audit import history_for, system_actor
from portal.models import ChangeRecord
from teams.factories import TeamFactory

pytestmark = pytest.mark.django_db


def _state(client, path, at):
    return client.get(f"{path}state/", {"at": at.isoformat()})


def test_the_owner_at_a_time_is_answered_across_a_transfer_a_deletion_and_a_reuse_of_the_slug(
    team, member, member_client
):
    # Given checkout, created by payments, handed to search, deleted, then registered again
    # by a third team under the same slug
    search, third = TeamFactory(slug="search"), TeamFactory(slug="ledger-team")
    service = actions.create_service(
        actor=member, via="api", owner_team=team, slug="checkout", name="Checkout"
    )
    created = history_for(service).get().created_at
    actions.transfer_service(service, new_owner=search, actor=member, via="api")
    transferred = history_for(service).first().created_at
    actions.delete_service(service, actor=system_actor(), via="api")
    deleted = ChangeRecord.objects.get(action="delete").created_at
    actions.create_service(
        actor=system_actor(), via="api", owner_team=third, slug="checkout", name="Checkout 2"
    )
    path = "/api/v1/services/checkout/"

    # Then each moment has its owner
    owners = {}
    for name, at in [("created", created), ("transferred", transferred), ("now", deleted)]:
        body = _state(member_client, path, at).json()
        owners[name] = (body["exists"], body["state"]["owner_team"])
    assert owners == {
        "created": (True, "payments"),
        "transferred": (True, "search"),
        "now": (False, "search"),  # deleted by then; its last owner
    }
    latest = _state(member_client, path, deleted + timedelta(days=1)).json()
    assert (latest["exists"], latest["state"]["owner_team"]) == (True, "ledger-team")
    assert latest["record"]["action"] == "create"


def test_before_anything_was_recorded_there_is_no_state(service, member_client):
    response = _state(
        member_client,
        "/api/v1/services/checkout/",
        ChangeRecord.objects.earliest("created_at").created_at - timedelta(days=1),
    )

    assert response.status_code == 404


@pytest.mark.parametrize("at", ["yesterday", "2026-13-01T00:00:00", "", "2026-01-01T00:00:00\x00"])
def test_a_bad_time_is_a_field_error(service, member_client, at):
    response = member_client.get("/api/v1/services/checkout/state/", {"at": at})

    assert response.status_code == 400
    assert "at" in response.json()


@pytest.mark.parametrize(
    "path", ["/api/v1/services/a%00b/state/", "/api/v1/dependencies/x1/state/"]
)
def test_an_impossible_lookup_is_not_found(service, member_client, path):
    assert member_client.get(path, {"at": "2026-01-01T00:00:00Z"}).status_code == 404


def test_objects_without_a_slug_are_found_by_id(team, service, member_client):
    edge = DependencyFactory(source=service, target_service=ServiceFactory(owner_team=team))

    body = member_client.get(
        f"/api/v1/dependencies/{edge.pk}/state/", {"at": "2100-01-01T00:00:00Z"}
    ).json()

    assert body["exists"] and body["state"]["source"] == "checkout"


def test_signed_out_clients_are_refused(service, client):
    response = client.get("/api/v1/services/checkout/state/", {"at": "2100-01-01T00:00:00Z"})

    assert response.status_code in (401, 403)


# --- request ids ----------------------------------------------------------------------------


def test_a_write_records_the_request_id_that_the_response_carries(service, member_client):
    response = member_client.patch(
        "/api/v1/services/checkout/",
        {"tier": 1},
        format="json",
        HTTP_X_REQUEST_ID="ci-job-4711",
    )

    assert response.status_code == 200
    assert response["X-Request-ID"] == "ci-job-4711"
    record = history_for(service).first()
    assert record.request_id == "ci-job-4711"
    assert (
        member_client.get("/api/v1/services/checkout/history/").json()["results"][0]["request_id"]
        == "ci-job-4711"
    )


def test_each_request_gets_its_own_id_and_an_unsafe_one_is_replaced(service, member_client):
    first = member_client.get("/api/v1/services/")["X-Request-ID"]
    second = member_client.get("/api/v1/services/", HTTP_X_REQUEST_ID="bad id\nX: y")[
        "X-Request-ID"
    ]

    assert len(first) == 32 and len(second) == 32 and first != second


def test_log_lines_carry_the_request_id():
    from portal.request_id import RequestIdFilter, bound

    record = logging.LogRecord("keel", logging.INFO, __file__, 1, "changed", None, None)
    with bound("abc12345"):
        RequestIdFilter().filter(record)
    assert record.request_id == "abc12345"
    RequestIdFilter().filter(record)
    assert record.request_id == "-"
