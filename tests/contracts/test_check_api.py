"""POST /api/v1/apis/<slug>/check/ and /api/v1/contracts/compare/: the diff and the verdict
without publishing; bounded, with field errors for bad input."""

import pytest
from rest_framework.test import APIClient

from accounts.factories import ApiTokenFactory
from accounts.models import ApiToken
from catalog.models import ApiVersion
from contracts.models import ConsumerImpact

from .conftest import SDL_ADDITIVE, SDL_BREAKING, SDL_V1

CHECK = "/api/v1/apis/pets/check/"
COMPARE = "/api/v1/contracts/compare/"


@pytest.fixture
def reader(outsider):
    """CI holds a read-only token of someone outside the provider's team."""
    token = ApiTokenFactory(user=outsider, scope=ApiToken.Scope.READ)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_a_breaking_candidate_is_answered_with_its_refusal_and_consumers(
    api, shop_consumes, reader
):
    response = reader.post(CHECK, {"version": "1.1.0", "spec": SDL_BREAKING}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["verdict"], body["base_version"], body["bump"], body["would_publish"]) == (
        "breaking", "1.0.0", "minor", False,
    )  # fmt: skip
    assert "Publish it as 2.0.0" in body["refusals"]["version"][0]
    assert body["consumers"] == [
        {
            # its range admits 1.1.0, so it would take the break unawares
            "consumer": "shop-web", "owner_team": "shop", "version_requirement": "^1.0",
            "includes_version": True, "affected": True,
        }
    ]  # fmt: skip
    assert {c["location"] for c in body["changes"]} == {"Query.pet", "Pet.tag"}
    # nothing was published or recorded
    assert ApiVersion.objects.filter(api=api).count() == 1
    assert not ConsumerImpact.objects.exists()


def test_a_new_major_would_publish_but_wait_for_its_consumers(api, shop_consumes, reader):
    body = reader.post(CHECK, {"version": "2.0.0", "spec": SDL_BREAKING}, format="json").json()
    assert (body["would_publish"], body["would_become_current"]) == (True, False)
    additive = reader.post(CHECK, {"version": "1.1.0", "spec": SDL_ADDITIVE}, format="json").json()
    assert (additive["would_publish"], additive["would_become_current"]) == (True, True)
    assert additive["consumers"] == []


def test_an_invalid_candidate_is_compared_with_its_problems_listed(api, reader):
    broken = SDL_V1.replace("name: String!", "name: Strin!")
    body = reader.post(CHECK, {"version": "1.1.0", "spec": broken}, format="json").json()
    assert body["valid"] is False and not body["would_publish"]
    assert "Strin" in " ".join(body["refusals"]["spec"])
    duplicate = reader.post(CHECK, {"version": "1.0.0", "spec": SDL_V1}, format="json").json()
    assert "already published" in duplicate["refusals"]["version"][0]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"spec": SDL_V1}, "version"),
        ({"version": "1.1.0"}, "spec"),
        ({"version": "no spaces", "spec": SDL_V1}, "version"),
        ({"version": "1.1.0", "spec": "x" * 600_000}, "spec"),
    ],
)
def test_bad_check_input_is_a_field_error(api, reader, payload, field, settings):
    settings.KEEL_SPEC_MAX_BYTES = 500_000
    response = reader.post(CHECK, payload, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()


def test_checks_need_a_signed_in_user_and_an_api_they_can_see(api):
    assert APIClient().post(CHECK, {}, format="json").status_code == 401


def test_compare_diffs_two_documents_without_the_catalog(reader, db):
    response = reader.post(
        COMPARE, {"type": "graphql", "base": SDL_V1, "revision": SDL_BREAKING}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["verdict"], body["counts"]["breaking"], body["comparable"]) == (
        "breaking",
        2,
        True,
    )
    unreadable = reader.post(
        COMPARE, {"type": "graphql", "base": SDL_V1, "revision": "type {"}, format="json"
    ).json()
    assert (unreadable["comparable"], unreadable["verdict"]) == (False, "potentially-breaking")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"type": "wsdl", "base": "a", "revision": "b"}, "type"),
        ({"type": "graphql", "revision": "b"}, "base"),
        ({"type": "graphql", "base": "a", "revision": "x" * 600_000}, "revision"),
    ],
)
def test_bad_compare_input_is_a_field_error(reader, payload, field):
    response = reader.post(COMPARE, payload, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()


def test_consumers_acknowledge_and_providers_set_sunsets_over_rest(
    api, shop_consumes, member, shop_member, outsider
):
    from contracts.models import BreakingRelease
    from tests.contracts.test_gate import publish

    publish(api, member, "2.0.0", SDL_BREAKING)
    url = "/api/v1/apis/pets/breaking-versions/2.0.0/"
    clients = {}
    for name, user in {"shop": shop_member, "provider": member, "outsider": outsider}.items():
        clients[name] = APIClient()
        clients[name].force_authenticate(user)
    listed = clients["outsider"].get("/api/v1/apis/pets/breaking-versions/").json()
    assert listed[0]["state"] == "open" and listed[0]["impacts"][0]["owner_team"] == "shop"
    assert (
        clients["outsider"].post(f"{url}acknowledge/", {"consumer": "shop-web"}).status_code == 403
    )
    assert clients["shop"].post(f"{url}acknowledge/", {"consumer": "nobody"}).status_code == 400
    assert clients["shop"].post(f"{url}sunset/", {"sunset_on": "2999-01-01"}).status_code == 403
    too_soon = clients["provider"].post(f"{url}sunset/", {"sunset_on": "2000-01-01"})
    assert too_soon.status_code == 400 and "sunset_on" in too_soon.json()
    body = clients["shop"].post(f"{url}acknowledge/", {"consumer": "shop-web"}).json()
    assert (
        body["state"] == "released"
        and body["impacts"][0]["acknowledged_by"] == shop_member.username
    )
    assert BreakingRelease.objects.get().released_because == "ready"
    assert clients["outsider"].get("/api/v1/apis/pets/").json()["current_version"] == "2.0.0"
