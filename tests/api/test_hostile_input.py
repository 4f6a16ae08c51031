"""The REST 500s that fuzzing found, each now a 4xx with a JSON message: NUL characters in
lookups and slug references, lone surrogates in any string, deeply nested and oversized
JSON; and the shape of every error under /api/ (JSON, 401 with WWW-Authenticate)."""

import json

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.test import RequestFactory

from portal.api.exceptions import exception_handler, server_error
from tests.api.conftest import db_state
from tests.api.document import operations, served_document

# Every operation that reads a JSON body, and the objects of `world` its path names.
JSON_ENDPOINTS = [
    (method, path) for method, path, op in operations(served_document()) if "requestBody" in op
]
_SLUGS = {
    "apis": "checkout-api",
    "business-domains": "commerce",
    "domains": "orders",
    "locations": "cart-file",
    "resources": "orders-db",
    "services": "checkout",
    "systems": "shop",
    "teams": "payments",
}


def _concrete(path: str, world) -> str:
    collection = path.split("/")[3]
    ids = {"dependencies": world.dependency.pk, "consumptions": world.consumption.pk}
    return path.format(
        slug=_SLUGS.get(collection),
        id=ids.get(collection),
        api_slug="checkout-api",
        team_slug="payments",
        pipeline_slug="checkout",
        username=world.member.username,
        version="1.0.0",
        name="production",
    )


def _post_raw(client, url, text, method="POST"):
    return client.generic(
        method, url, text.encode("utf-8", "surrogatepass"), content_type="application/json"
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/services/a%00b/",
        "/api/v1/services/a%00b/history/",
        "/api/v1/teams/a%00b/",
        "/api/v1/teams/a%00b/members/",
        "/api/v1/teams/payments/members/a%00b/",
        "/api/v1/apis/a%00b/versions/",
        "/api/v1/apis/checkout-api/versions/1%00/",
        "/api/v1/domains/a%00b/",
        "/api/v1/resources/a%00b/",
        "/api/v1/pipelines/a%00b/",
        "/api/v1/templates/a%00b/",
    ],
)
def test_a_nul_character_in_a_lookup_is_a_client_error(url, world, staff_client):
    # PostgreSQL refuses NUL in a query parameter (DataError, once a 500); SQLite finds nothing
    response = staff_client.get(url)
    assert response.status_code in (400, 404), response.content
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/services/", {"slug": "s1", "name": "S", "owner_team": "a\x00b"}, "owner_team"),
        ("/api/v1/services/checkout/transfer/", {"owner_team": "a\x00b"}, "owner_team"),
        ("/api/v1/resources/", {"slug": "r1", "name": "R", "service": "\x00"}, "service"),
        ("/api/v1/teams/payments/members/", {"user": "a\x00", "role": "member"}, "user"),
        ("/api/v1/services/", {"slug": "s1", "name": "S", "tags": ["a\x00"]}, "tags"),
    ],
)
def test_a_nul_character_in_a_body_is_a_field_error(url, body, field, world, staff_client):
    before = db_state()
    response = staff_client.post(url, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {field: ["Null characters are not allowed."]}
    assert db_state() == before


@pytest.mark.parametrize(
    ("url", "text", "field"),
    [
        # a choice field echoes the value in its error, which could not be encoded (a 500)
        (
            "/api/v1/services/",
            '{"slug": "s1", "name": "S", "owner_team": "payments", "lifecycle": "\\ud800"}',
            "lifecycle",
        ),
        ("/api/v1/services/", '{"slug": "s1", "name": "S", "owner_team": "\\udfff"}', "owner_team"),
        ("/api/v1/services/", '{"slug": "s1", "name": "S", "tags": ["ok", "\\ud83d"]}', "tags"),
        ("/api/v1/apis/checkout-api/versions/", '{"version": "2", "spec": "\\ud800"}', "spec"),
        ("/api/v1/services/", '{"slug": "s1", "name": "S", "\\ud800": 1}', None),
    ],
)
def test_a_lone_surrogate_anywhere_is_a_400(url, text, field, world, staff_client):
    before = db_state()
    response = _post_raw(staff_client, url, text)
    assert response.status_code == 400, response.content
    body = response.json()
    if field is None:  # a key cannot name the field it is
        assert "Surrogate characters are not allowed" in body["detail"]
    else:
        assert body[field][0].startswith("Surrogate characters are not allowed: U+D")
    assert db_state() == before


def test_a_surrogate_pair_is_one_character_and_welcome(world, staff_client):
    response = _post_raw(
        staff_client,
        "/api/v1/services/",
        '{"slug": "s1", "name": "Rocket \\ud83d\\ude80", "owner_team": "payments"}',
    )
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Rocket \U0001f680"


@pytest.mark.parametrize(("method", "path"), JSON_ENDPOINTS)
def test_json_nested_a_thousand_levels_is_a_400_on_every_json_endpoint(
    method, path, world, staff_client
):
    before = db_state()
    text = '{"a": [' * 500 + "1" + "]}" * 500
    response = _post_raw(staff_client, _concrete(path, world), text, method)
    assert response.status_code == 400, response.content
    assert "nested more than 64 levels" in response.json()["detail"]
    assert db_state() == before


def test_nesting_inside_strings_does_not_count(world, staff_client):
    spec = "[" * 1000 + '\\"{' * 100
    response = _post_raw(
        staff_client,
        "/api/v1/apis/checkout-api/versions/",
        json.dumps({"version": "2.0.0", "spec": spec}),
    )
    assert response.status_code == 400
    assert "spec" in response.json()  # reached the spec's own validation, not the parser


def test_a_body_over_the_size_cap_is_a_413(world, staff_client, settings):
    settings.KEEL_API_MAX_BODY_BYTES = 1000
    response = staff_client.post(
        "/api/v1/services/", {"slug": "s1", "name": "S" * 2000, "owner_team": "payments"}
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "The request body may be at most 1000 bytes."


@pytest.mark.parametrize("url", ["/api/v1/services/", "/api/v1/services/checkout/"])
@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_no_credentials_is_a_401_naming_the_scheme(url, method, world, anon_client):
    # authentication comes before routing to a method, so even a 405 would be a 401 first
    response = getattr(anon_client, method)(url, {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/api/v1/no-such-collection/", 404),
        ("get", "/api/v1/services/checkout/no-such-action/", 404),
        ("get", "/api/nope", 404),
        ("put", "/api/v1/services/", 405),
        ("get", "/api/v1/apis/checkout-api/versions/9.9.9/spec/?format=txt", 404),
    ],
)
def test_errors_under_api_are_json(method, url, status, world, staff_client):
    response = getattr(staff_client, method)(url)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_a_server_error_under_api_is_json_and_a_page_elsewhere():
    api = server_error(RequestFactory().get("/api/v1/services/"))
    page = server_error(RequestFactory().get("/services/"))
    assert api.status_code == page.status_code == 500
    assert json.loads(api.content) == {"detail": "Internal server error; it has been logged."}
    assert page["Content-Type"].startswith("text/html")


def test_an_unknown_page_outside_api_stays_a_page(client, member):
    client.force_login(member)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_value_the_database_refuses_is_a_400():
    response = exception_handler(DataError("integer out of range"), {})
    assert response.status_code == 400
    assert "integer out of range" not in str(response.data)  # nothing of the internals


def test_a_write_that_lost_a_race_is_a_409_and_bad_input_stays_400():
    lost = exception_handler(DjangoValidationError("Try again.", code="conflict"), {})
    taken = exception_handler(DjangoValidationError({"slug": "Taken."}), {})
    assert lost.status_code == 409
    assert lost.data == {"non_field_errors": ["Try again."]}
    assert taken.status_code == 400


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/teams/", {"slug": "t1", "name": "T", "parent": ""}, "parent"),
        ("/api/v1/services/", {"slug": "s1", "name": "S", "owner_team": ""}, "owner_team"),
        ("/api/v1/teams/payments/members/", {"user": "", "role": "member"}, "user"),
    ],
)
def test_a_blank_slug_reference_is_a_field_error_not_null(url, body, field, world, staff_client):
    response = staff_client.post(url, body, format="json")
    assert response.status_code == 400
    assert response.json()[field] == ["This field may not be blank; send null for none."]
