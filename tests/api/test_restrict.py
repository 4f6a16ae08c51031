"""Every REST read passes through ``restrict()``: lists, details, nested parents and the
detail routes built on them. Checked with a user whom the rules let see nothing (one who
was deactivated after signing in), so any read that skips the rules shows up as data."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def unseeing(client_for, world):
    """A client whose user ``restrict()`` gives nothing: signed in, then deactivated."""
    person = world.member
    person.is_active = False
    person.save(update_fields=["is_active"])
    return client_for(person)


LISTS = [
    "/api/v1/teams/",
    "/api/v1/services/",
    "/api/v1/apis/",
    "/api/v1/domains/",
    "/api/v1/resources/",
    "/api/v1/dependencies/",
    "/api/v1/consumptions/",
    "/api/v1/scaffold-runs/",
    "/api/v1/pipelines/",
]


@pytest.mark.parametrize("url", LISTS)
def test_lists_show_nothing_the_rules_do_not_allow(unseeing, url):
    response = unseeing.get(url)
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/teams/payments/",
        "/api/v1/teams/payments/members/",
        "/api/v1/services/checkout/",
        "/api/v1/services/checkout/history/",
        "/api/v1/services/checkout/dependencies/",
        "/api/v1/services/checkout/blast-radius/",
        "/api/v1/apis/checkout-api/",
        "/api/v1/apis/checkout-api/versions/",
        "/api/v1/apis/checkout-api/versions/1.0.0/",
        "/api/v1/domains/orders/",
        "/api/v1/resources/orders-db/",
    ],
)
def test_details_and_nested_collections_are_not_found(unseeing, url):
    assert unseeing.get(url).status_code == 404


def test_the_detail_queryset_of_a_service_is_the_restricted_one(world, client_for):
    """The detail keeps its neighbours (one optimised queryset) while passing the rules."""
    response = client_for(world.member).get("/api/v1/services/checkout/")
    assert response.status_code == 200
    assert "ledger" in [d["target_service"] for d in response.json()["dependencies"]]
