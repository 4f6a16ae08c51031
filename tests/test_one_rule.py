"""One rule per thing, whatever the interface: the same input through a page (form), REST
and GraphQL gives the same outcome.

The list of cross-interface checks (issue 8, point 4 and the user rule of point 5):
- an inactive user cannot be added to a team (the rule is ``Membership.clean``);
- a slug names its object in any case (``portal.lookups``): URLs, related fields, filters;
- a choice filter takes the values the same field is shown with (GraphQL enums);
- lists sort by one ``ordering`` vocabulary (the FilterSets'), names ignoring case;
- people are shown by username, never by e-mail address.
"""

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from catalog.factories import ServiceFactory
from catalog.models import Lifecycle
from portal.factories import UserFactory
from teams.factories import TeamFactory
from teams.models import Membership

pytestmark = pytest.mark.django_db


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rest(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _graphql(user, query: str, variables: dict | None = None) -> dict:
    response = _page(user).post(
        "/graphql/", {"query": query, "variables": variables or {}}, content_type="application/json"
    )
    return response.json()


def _slugs(connection) -> list[str]:
    return [edge["node"]["slug"] for edge in connection["edges"]]


# --- an inactive user never joins a team ------------------------------------------------------

INACTIVE = "gone is not an active user: they cannot join."


def test_an_inactive_user_is_refused_by_the_form_rest_and_graphql_alike(team, lead):
    gone = UserFactory(username="gone", is_active=False)

    form = _page(lead).post(
        reverse("teams:members", args=[team.slug]), {"user": "gone", "role": "member"}
    )
    rest = _rest(lead).post(f"/api/v1/teams/{team.slug}/members/", {"user": "gone"}, format="json")
    graphql = _graphql(
        lead,
        'mutation { addTeamMember(input: {team: "payments", username: "gone"}) '
        "{ membership { role } errors { field messages } } }",
    )

    assert form.status_code == 400
    assert form.context["form"].errors["user"] == [INACTIVE]
    assert rest.status_code == 400, rest.content
    assert rest.json() == {"user": [INACTIVE]}
    assert graphql["data"]["addTeamMember"] == {
        "membership": None,
        "errors": [{"field": "username", "messages": [INACTIVE]}],
    }
    assert not Membership.objects.filter(user=gone).exists()


def test_a_member_who_became_inactive_can_still_be_removed(team, lead, member):
    member.is_active = False
    member.save(update_fields=["is_active"])

    removed = _graphql(
        lead,
        f'mutation {{ removeTeamMember(input: {{team: "payments", username: "{member.username}"}}) '
        "{ errors { field messages } } }",
    )

    assert removed["data"]["removeTeamMember"]["errors"] == []
    assert not Membership.objects.filter(user=member).exists()


# --- slugs name their object in any case ----------------------------------------------------


def test_a_slug_in_another_case_finds_its_object_everywhere(team, member, service):
    assert _rest(member).get("/api/v1/services/CheckOut/").json()["slug"] == "checkout"
    assert _rest(member).get("/api/v1/teams/PAYMENTS/members/").status_code == 200
    page = _page(member).get("/services/CheckOut/?tab=1")
    assert (page.status_code, page["Location"]) == (302, "/services/checkout/?tab=1")
    data = _graphql(
        member, '{ service(slug: "CheckOut") { slug } team(slug: "Payments") { slug } }'
    )
    assert data["data"] == {"service": {"slug": "checkout"}, "team": {"slug": "payments"}}


def test_a_related_slug_in_another_case_is_the_same_object_in_rest_graphql_and_forms(
    team, member, service
):
    ledger = ServiceFactory(slug="ledger", owner_team=team)
    rest = _rest(member).post(
        "/api/v1/services/",
        {"slug": "refunds", "name": "Refunds", "owner_team": "PAYMENTS"},
        format="json",
    )
    graphql = _graphql(
        member,
        'mutation { createService(input: {slug: "payouts", name: "Payouts", ownerTeam: "Payments"})'
        " { service { ownerTeam { slug } } errors { field messages } } }",
    )
    form = _page(member).post(
        reverse("catalog:service-dependency-add", args=["checkout"]),
        {"target_service": "LEDGER", "kind": "sync", "criticality": "medium"},
    )

    assert rest.status_code == 201, rest.content
    assert rest.json()["owner_team"] == "payments"
    assert graphql["data"]["createService"]["service"] == {"ownerTeam": {"slug": "payments"}}
    assert form.status_code == 302
    assert service.dependencies.get().target_service == ledger


def test_a_slug_filter_ignores_case_on_pages_rest_and_graphql(team, member, service):
    ServiceFactory(slug="finder", owner_team=TeamFactory(slug="search"))

    page = _page(member).get(reverse("catalog:service-list"), {"owner_team": "Payments"})
    rest = _rest(member).get("/api/v1/services/", {"owner_team": "Payments"})
    graphql = _graphql(member, '{ services(ownerTeam: "Payments") { edges { node { slug } } } }')

    assert [s.slug for s in page.context["object_list"]] == ["checkout"]
    assert [s["slug"] for s in rest.json()["results"]] == ["checkout"]
    assert _slugs(graphql["data"]["services"]) == ["checkout"]


@pytest.mark.parametrize("hostile", ["a\x00b", "é", "x" * 64, "a b", "CHECKOUT\n"])
def test_what_cannot_be_a_slug_finds_nothing_without_an_error(member, service, hostile):
    assert _rest(member).get(f"/api/v1/services/{quote(hostile)}/").status_code == 404
    assert _page(member).get(f"/git/{quote(hostile)}.git").status_code == 404
    graph = _page(member).get("/graph/", {"service": hostile})  # the page strips its input
    assert graph.status_code == (200 if hostile.strip() == "CHECKOUT" else 404)
    assert _page(member).get("/graph/", {"team": hostile}).status_code == 404
    data = _graphql(member, "query($s: String!) { service(slug: $s) { slug } }", {"s": hostile})
    assert data == {"data": {"service": None}}


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Shop Two", "'Shop Two' is not a valid name."),
        ("shop", "This slug is already taken (slugs are unique regardless of case)."),
    ],
)
def test_a_systems_slug_is_refused_alike_by_the_form_rest_and_graphql(team, member, slug, message):
    from catalog.factories import SystemFactory
    from catalog.models import System

    SystemFactory(slug="shop", owner_team=team)
    fields = {"slug": slug, "name": "Shop", "owner_team": "payments"}

    form = _page(member).post(reverse("catalog:system-create"), fields)
    rest = _rest(member).post("/api/v1/systems/", fields, format="json")
    graphql = _graphql(
        member,
        'mutation($s: String!) { createSystem(input: {slug: $s, name: "Shop", '
        'ownerTeam: "payments"}) { errors { field messages } } }',
        {"s": slug},
    )

    assert form.status_code == 400 and form.context["form"].errors["slug"][0].startswith(message)
    assert rest.status_code == 400 and rest.json()["slug"][0].startswith(message)
    (error,) = graphql["data"]["createSystem"]["errors"]
    assert error["field"] == "slug" and error["messages"][0].startswith(message)
    assert System.objects.count() == 1


# --- choice filters take what the field shows --------------------------------------------


def test_graphql_filters_by_the_enum_it_outputs_and_refuses_the_rest_spelling(member, team):
    ServiceFactory(slug="live", owner_team=team, lifecycle=Lifecycle.PRODUCTION)
    ServiceFactory(slug="trial", owner_team=team, lifecycle=Lifecycle.EXPERIMENTAL)

    shown = _graphql(member, "{ services { edges { node { slug lifecycle } } } }")
    by_enum = _graphql(member, "{ services(lifecycle: PRODUCTION) { edges { node { slug } } } }")
    by_text = _graphql(member, '{ services(lifecycle: "production") { totalCount } }')
    rest = _rest(member).get("/api/v1/services/", {"lifecycle": "production"})

    assert {"slug": "live", "lifecycle": "PRODUCTION"} in [
        e["node"] for e in shown["data"]["services"]["edges"]
    ]
    assert (
        _slugs(by_enum["data"]["services"])
        == ["live"]
        == [s["slug"] for s in rest.json()["results"]]
    )
    assert "Enum 'Lifecycle' cannot represent non-enum value" in by_text["errors"][0]["message"]


# --- one ordering vocabulary ---------------------------------------------------------------


@pytest.fixture
def named(team):
    """Names whose order depends on case, and two equal names told apart by slug."""
    for slug, name in [
        ("psp-adapter", "PSP Adapter"),
        ("payment-gateway", "Payment Gateway"),
        ("ledger-b", "Ledger"),
        ("ledger-a", "Ledger"),
    ]:
        ServiceFactory(slug=slug, name=name, owner_team=team, tier=2)
    ServiceFactory(slug="core", name="Core", owner_team=team, tier=1)


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("name", ["core", "ledger-a", "ledger-b", "payment-gateway", "psp-adapter"]),
        ("-name", ["psp-adapter", "payment-gateway", "ledger-a", "ledger-b", "core"]),
        ("tier,-slug", ["core", "ledger-b", "ledger-a", "payment-gateway", "psp-adapter"]),
    ],
)
def test_pages_rest_and_graphql_sort_by_the_same_ordering(member, named, ordering, expected):
    page = _page(member).get(reverse("catalog:service-list"), {"ordering": ordering})
    rest = _rest(member).get("/api/v1/services/", {"ordering": ordering})
    graphql = _graphql(
        member,
        "query($o: String) { services(ordering: $o) { edges { node { slug } } } }",
        {"o": ordering},
    )

    assert [s.slug for s in page.context["object_list"]] == expected
    assert [s["slug"] for s in rest.json()["results"]] == expected
    assert _slugs(graphql["data"]["services"]) == expected


def test_an_unknown_ordering_is_refused_by_every_interface(member, named):
    page = _page(member).get(reverse("catalog:service-list"), {"ordering": "password"})
    rest = _rest(member).get("/api/v1/services/", {"ordering": "password"})
    graphql = _graphql(member, '{ services(ordering: "password") { totalCount } }')

    assert list(page.context["object_list"]) == []
    assert b"Select a valid choice" in page.content
    assert rest.status_code == 400 and "ordering" in rest.json()
    assert "ordering" in graphql["errors"][0]["message"]


def test_the_old_sort_parameter_still_sorts_pages(member, named):
    page = _page(member).get(reverse("catalog:service-list"), {"sort": "-name"})
    assert [s.slug for s in page.context["object_list"]][0] == "psp-adapter"
    assert "?ordering=name" in page.content.decode()  # its links speak the new vocabulary


def test_counted_columns_sort_alike_on_pages_rest_and_graphql(team, lead, member, outsider):
    TeamFactory(slug="alpha", name="Alpha")  # first by name, last by size
    expected = ["payments", "search", "alpha"]  # 2, 1 and 0 members

    page = _page(member).get(reverse("teams:list"), {"ordering": "size"})
    rest = _rest(member).get("/api/v1/teams/", {"ordering": "size"})
    graphql = _graphql(member, '{ teams(ordering: "size") { edges { node { slug } } } }')

    assert [t.slug for t in page.context["object_list"]] == expected
    assert [t["slug"] for t in rest.json()["results"]] == expected
    assert _slugs(graphql["data"]["teams"]) == expected


# --- people are shown by username ----------------------------------------------------------


def test_no_interface_shows_a_persons_email(team, lead, member, service):
    graphql = _graphql(member, '{ team(slug: "payments") { members { user { email } } } }')
    rest = _rest(member).get("/api/v1/teams/payments/")
    page = _page(member).get(reverse("teams:detail", args=["payments"]))

    assert "Cannot query field 'email' on type 'User'" in graphql["errors"][0]["message"]
    assert lead.email not in rest.content.decode()
    assert {m["user"] for m in rest.json()["members"]} == {lead.username, member.username}
    assert lead.email not in page.content.decode()


@pytest.mark.parametrize(
    ("parameter", "value", "message"),
    [
        ("q", "x" * 60_000, "at most 200 characters"),  # SQLite refuses a LIKE this long
        ("ordering", ",".join(["name", "-tier"] * 5000), "Order by at most 8 names."),
    ],
)
def test_an_oversized_filter_is_refused_by_every_interface(
    member, named, parameter, value, message
):
    page = _page(member).get(reverse("catalog:service-list"), {parameter: value})
    rest = _rest(member).get("/api/v1/services/", {parameter: value})
    graphql = _graphql(
        member, f"query($v: String) {{ services({parameter}: $v) {{ totalCount }} }}", {"v": value}
    )

    assert list(page.context["object_list"]) == [] and message in page.content.decode()
    assert rest.status_code == 400 and message in rest.json()[parameter][0]
    assert graphql["errors"][0]["message"].startswith(f"{parameter}: ")
    assert message in graphql["errors"][0]["message"]
