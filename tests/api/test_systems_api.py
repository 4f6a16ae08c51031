"""Systems and business domains over REST: lists filtered, sorted and paged like the other
collections, details by slug in any case, refusals as field errors, and ``system`` on the
services and APIs that are part of one. Who may write is in ``test_writes``; query counts in
``test_query_counts``."""

import pytest
from django.utils import timezone

from catalog.factories import BusinessDomainFactory, SystemFactory
from catalog.models import Service, System
from tests.api.conftest import db_state

pytestmark = pytest.mark.django_db


def _slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


def test_a_system_shows_its_owner_and_business_domain_by_slug(world, member_client):
    body = member_client.get("/api/v1/systems/SHOP/").json()

    assert {k: body[k] for k in ("slug", "name", "owner_team", "business_domain")} == {
        "slug": "shop",
        "name": "Shop",
        "owner_team": "payments",
        "business_domain": "commerce",
    }
    domain = member_client.get("/api/v1/business-domains/commerce/").json()
    assert (domain["slug"], domain["owner_team"]) == ("commerce", "payments")


def test_services_and_apis_name_their_system(world, member_client):
    assert member_client.get("/api/v1/services/checkout/").json()["system"] == "shop"
    assert member_client.get("/api/v1/apis/checkout-api/").json()["system"] == "shop"
    rows = member_client.get("/api/v1/services/", {"system": "Shop"}).json()["results"]
    assert [(r["slug"], r["system"]) for r in rows] == [("checkout", "shop")]
    assert _slugs(member_client.get("/api/v1/apis/", {"system": "shop"})) == ["checkout-api"]


def test_lists_filter_sort_and_page_like_the_other_collections(world, member_client):
    SystemFactory(slug="search-index", name="Index", owner_team=world.search)
    SystemFactory(slug="billing", name="billing", owner_team=world.team)

    by_name = member_client.get("/api/v1/systems/", {"ordering": "name"})
    by_team = member_client.get("/api/v1/systems/", {"owner_team": "search"})
    in_domain = member_client.get("/api/v1/systems/", {"business_domain": "commerce"})
    searched = member_client.get("/api/v1/systems/", {"q": "INDEX"})
    page = member_client.get("/api/v1/systems/", {"ordering": "-slug", "page_size": 2})

    assert _slugs(by_name) == ["billing", "search-index", "shop"]  # names ignore case
    assert _slugs(by_team) == ["search-index"]
    assert _slugs(in_domain) == ["shop"]
    assert _slugs(searched) == ["search-index"]
    assert _slugs(page) == ["shop", "search-index"]
    assert page.json()["count"] == 3 and page.json()["next"]
    bad = member_client.get("/api/v1/business-domains/", {"ordering": "password"})
    assert bad.status_code == 400 and "ordering" in bad.json()


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"slug": "Shop Two", "name": "x", "owner_team": "payments"}, {"slug"}),
        ({"slug": "shop", "name": "x", "owner_team": "payments"}, {"slug"}),
        ({"slug": "shop-two", "name": "x", "owner_team": "nobody"}, {"owner_team"}),
        ({"slug": "shop-two", "name": "x", "owner_team": "payments", "business_domain": "x1"},
         {"business_domain"}),
        ({"slug": "shop-two", "name": "x"}, {"owner_team"}),
    ],
)  # fmt: skip
def test_bad_input_is_a_field_error_and_nothing_is_written(world, member_client, body, errors):
    before = db_state()
    response = member_client.post("/api/v1/systems/", body, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == errors
    assert db_state() == before


def test_the_messages_say_what_to_change(world, member_client):
    taken = member_client.post(
        "/api/v1/business-domains/",
        {"slug": "commerce", "name": "Again", "owner_team": "payments"},
        format="json",
    )
    unknown = member_client.patch("/api/v1/services/checkout/", {"system": "gone"}, format="json")

    assert taken.json() == {
        "slug": ["This slug is already taken (slugs are unique regardless of case)."]
    }
    assert unknown.status_code == 400
    assert unknown.json() == {"system": ["Object with slug=gone does not exist."]}


def test_a_service_and_an_api_join_and_leave_a_system(world, member_client):
    other = SystemFactory(slug="search-system", owner_team=world.search)

    joined = member_client.patch("/api/v1/services/ledger/", {"system": "search-system"})
    left = member_client.patch("/api/v1/apis/checkout-api/", {"system": None}, format="json")
    created = member_client.post(
        "/api/v1/apis/",
        {"slug": "ledger-api", "name": "Ledger", "provider": "ledger", "type": "openapi",
         "system": "shop"},
        format="json",
    )  # fmt: skip

    assert joined.status_code == 200 and joined.json()["system"] == "search-system"
    assert left.status_code == 200 and left.json()["system"] is None
    assert created.status_code == 201 and created.json()["system"] == "shop"
    assert list(other.services.values_list("slug", flat=True)) == ["ledger"]
    # the stored representation follows the write
    assert member_client.get("/api/v1/services/ledger/").json()["system"] == "search-system"


def test_deleting_a_system_leaves_its_services_and_apis(world, member_client):
    response = member_client.delete("/api/v1/systems/shop/")

    assert response.status_code == 204
    assert not System.objects.exists()
    assert Service.objects.get(slug="checkout").system is None
    assert member_client.get("/api/v1/apis/checkout-api/").json()["system"] is None
    history = member_client.get("/api/v1/services/checkout/history/").json()["results"]
    assert history[0]["before"]["system"] == "shop" and history[0]["after"]["system"] is None


def test_a_deleted_systems_services_are_shown_without_it(world, member_client):
    member_client.delete("/api/v1/systems/shop/")
    assert member_client.get("/api/v1/services/checkout/").json()["system"] is None


def test_deleting_a_business_domain_leaves_its_systems(world, member_client):
    assert member_client.delete("/api/v1/business-domains/commerce/").status_code == 204
    assert member_client.get("/api/v1/systems/shop/").json()["business_domain"] is None


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/systems/nothing/",
        "/api/v1/systems/nothing/history/",
        "/api/v1/business-domains/nothing/",
        "/api/v1/business-domains/a%00b/",
        "/api/v1/systems/-/",
    ],
)
def test_unknown_slugs_are_404s(world, member_client, url):
    assert member_client.get(url).status_code == 404


def test_anonymous_reads_nothing(world, anon_client):
    assert anon_client.get("/api/v1/systems/").status_code in (401, 403)
    assert anon_client.get("/api/v1/business-domains/commerce/").status_code in (401, 403)


def test_a_systems_state_at_a_moment_comes_from_its_history(world, member_client):
    BusinessDomainFactory(slug="finance", owner_team=world.team)
    before = timezone.now().isoformat()
    member_client.patch("/api/v1/systems/shop/", {"business_domain": "finance"}, format="json")

    then = member_client.get("/api/v1/systems/shop/state/", {"at": before}).json()

    assert then["exists"] and then["state"]["business_domain"] == "commerce"
