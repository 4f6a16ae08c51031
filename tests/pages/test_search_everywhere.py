"""One search, four ways in: the page, the navigation bar's suggestions (htmx), REST
``/api/v1/search/`` and GraphQL ``search``, all ranked alike; people are found and have a page."""

import pytest
from django.test import Client
from django.urls import reverse

from catalog.actions import update_service
from catalog.factories import SystemFactory
from portal.models import Interface
from teams.factories import MembershipFactory

pytestmark = pytest.mark.django_db

QUERY = """query($q: String!, $kinds: [SearchKind!], $limit: Int) {
  search(query: $q, kinds: $kinds, limit: $limit) { kind label slug name url rank }
}"""


def _graphql(client, variables):
    return client.post(
        "/graphql/", {"query": QUERY, "variables": variables}, content_type="application/json"
    ).json()


@pytest.fixture
def ada(catalog):
    """Ada Lovelace, a lead of the team that owns checkout."""
    return MembershipFactory(
        team=catalog["service"].owner_team,
        user__username="ada",
        user__first_name="Ada",
        user__last_name="Lovelace",
        role="lead",
    ).user


def test_rest_graphql_and_the_page_give_the_same_hits_in_the_same_order(catalog, ada, member_page):
    SystemFactory(slug="checkout-flow", name="Checkout flow", owner_team=catalog["web"])
    rest = member_page.get("/api/v1/search/", {"q": "checkout"}).json()
    graphql = _graphql(member_page, {"q": "checkout"})["data"]["search"]
    page = member_page.get(reverse("search"), {"q": "checkout"}).context["hits"]

    assert [(h["kind"], h["slug"]) for h in rest] == [(h.kind, h.obj.slug) for h in page]
    assert [(h["kind"].lower(), h["slug"]) for h in graphql] == [
        (h["kind"], h["slug"]) for h in rest
    ]
    assert rest[0]["slug"] == "checkout" and rest[0]["url"] == "/services/checkout/"
    assert {"kind": "system", "slug": "checkout-flow", "label": "System"}.items() <= next(
        h for h in rest if h["kind"] == "system"
    ).items()


def test_a_person_is_found_by_name_and_has_a_page_with_teams_services_and_changes(
    catalog, ada, member_page
):
    update_service(catalog["service"], actor=ada, via=Interface.UI, description="Takes money")
    [hit] = member_page.get("/api/v1/search/", {"q": "lovelace", "kind": "person"}).json()
    assert hit == {
        "kind": "person",
        "label": "Person",
        "slug": "ada",
        "name": "Ada Lovelace",
        "description": "",
        "url": "/people/ada/",
        "rank": hit["rank"],
    }
    html = member_page.get(hit["url"]).content.decode()
    assert "Ada Lovelace" in html and catalog["service"].owner_team.name in html
    assert 'href="/services/checkout/"' in html  # a service of her team
    assert 'update\n      <a href="/services/checkout/">' in html  # what she changed lately
    assert member_page.get("/people/nobody-here/").status_code == 404


def test_the_team_page_links_its_members_to_their_pages(catalog, ada, member_page):
    html = member_page.get(catalog["service"].owner_team.get_absolute_url()).content.decode()
    assert 'href="/people/ada/"' in html


def test_the_navigation_box_gets_the_best_few_as_a_fragment(catalog, ada, member_page):
    response = member_page.get(reverse("search"), {"q": "checkout"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'class="suggestion-list"' in html
    assert 'href="/services/checkout/"' in html and "All results for “checkout”" in html
    assert html.count("<li>") <= 8
    assert "HX-Request" in response["Vary"]
    empty = member_page.get(reverse("search"), {"q": "zzzz"}, HTTP_HX_REQUEST="true")
    assert "Nothing matches “zzzz”." in empty.content.decode()
    page = member_page.get(reverse("overview")).content.decode()
    assert 'hx-get="/search/"' in page and 'id="search-suggestions"' in page


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "a", "kind": "planet"}, "kind"),
        ({"q": "a", "limit": 0}, "limit"),
    ],
)
def test_rest_refuses_bad_parameters_with_field_errors(params, field, member_page):
    response = member_page.get("/api/v1/search/", params)
    assert response.status_code == 400 and field in response.json()


def test_graphql_refuses_bad_arguments_with_a_message(member_page):
    body = _graphql(member_page, {"q": "x" * 201})
    assert body["errors"][0]["message"] == "Search for at most 200 characters."
    body = _graphql(member_page, {"q": "a", "limit": 500})
    assert body["errors"][0]["message"] == "The limit is between 1 and 25."


def test_rest_search_needs_a_signed_in_caller():
    assert Client().get("/api/v1/search/", {"q": "a"}).status_code in (401, 403)


def test_kinds_and_limit_narrow_the_answer(catalog, member_page):
    hits = member_page.get("/api/v1/search/", {"q": "checkout", "kind": ["api", "domain"]}).json()
    assert {h["kind"] for h in hits} == {"api"}
    hits = _graphql(member_page, {"q": "o", "kinds": ["SERVICE"], "limit": 1})["data"]["search"]
    assert len(hits) == 1 and hits[0]["kind"] == "SERVICE"
