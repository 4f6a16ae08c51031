"""Conway's law, visible: the team-to-team coupling (``catalog.coupling``), its REST endpoints
and its page. Weighted links between teams from cross-team dependencies (a resource counting
for its service's team) and API consumptions, the services behind each link, a constant
number of queries however large the catalog, and nothing for someone not signed in."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.coupling import links_between, team_coupling
from catalog.factories import (
    ApiConsumptionFactory,
    ApiFactory,
    DependencyFactory,
    ResourceFactory,
    ServiceFactory,
)
from catalog.models import Dependency, Service
from teams.factories import TeamFactory
from teams.models import Team


@pytest.fixture
def org(team):
    """front calls platform (sync, async) and consumes its API, which implies one more sync
    dependency; platform writes to a resource of data's; hub is called by every other team
    (payments included); front's own edge stays inside."""
    front, platform, data, hub = (
        TeamFactory(slug=s, name=s.title()) for s in ("front", "platform", "data", "hub")
    )
    web = ServiceFactory(slug="web", owner_team=front)
    bff = ServiceFactory(slug="bff", owner_team=front)
    core = ServiceFactory(slug="core", owner_team=platform)
    jobs = ServiceFactory(slug="jobs", owner_team=platform)
    store = ServiceFactory(slug="store", owner_team=data)
    auth = ServiceFactory(slug="auth", owner_team=hub)
    DependencyFactory(source=web, target_service=bff)  # inside front: not a coupling
    DependencyFactory(source=web, target_service=core, kind=Dependency.Kind.SYNC)
    DependencyFactory(source=bff, target_service=jobs, kind=Dependency.Kind.ASYNC)
    ApiConsumptionFactory(consumer=bff, api=ApiFactory(slug="core-api", provider=core))
    DependencyFactory(
        source=core,
        target_service=None,
        target_resource=ResourceFactory(slug="store-db", service=store),
        kind=Dependency.Kind.DATA,
    )
    for source in (web, core, store, ServiceFactory(slug="pay", owner_team=team)):
        DependencyFactory(source=source, target_service=auth)
    return {"front": front, "platform": platform, "data": data, "hub": hub}


def _link(document, source, target):
    [link] = [x for x in document["links"] if (x["source"], x["target"]) == (source, target)]
    return link


def test_links_are_weighted_by_kind_and_consumption(org, member):
    document = team_coupling(member)

    front_platform = _link(document, "front", "platform")
    # web -> core, bff -> core (implied by its consumption of core-api), bff -> jobs
    assert front_platform["dependencies"] == {"sync": 2, "async": 1, "data": 0}
    assert front_platform["consumptions"] == 1 and front_platform["weight"] == 4
    # a resource counts for the team of the service that owns it
    assert _link(document, "platform", "data")["dependencies"]["data"] == 1
    # only links between different teams, in a stable order
    pairs = [(x["source"], x["target"]) for x in document["links"]]
    assert pairs == sorted(pairs) and ("front", "front") not in pairs
    assert len(pairs) == 6


def test_the_team_coupled_to_everyone_stands_out(org, member):
    teams = {t["slug"]: t for t in team_coupling(member)["teams"]}

    assert teams["hub"]["partners"] == 4
    assert sorted(t["partners"] for t in teams.values()) == [1, 2, 2, 3, 4]
    assert teams["front"]["partners"] == 2  # platform and hub
    assert teams["front"]["services"] == 2
    assert teams["platform"]["weight"] == 4 + 1 + 1  # from front, to data, to hub
    assert [t["slug"] for t in team_coupling(member)["teams"]] == sorted(teams)


def test_the_services_behind_a_link(org, member):
    rows = links_between(org["front"], org["platform"], member)

    assert rows == [
        {"source": "bff", "target": "core", "kind": "api", "resource": None, "api": "core-api"},
        {"source": "bff", "target": "core", "kind": "sync", "resource": None, "api": None},
        {"source": "bff", "target": "jobs", "kind": "async", "resource": None, "api": None},
        {"source": "web", "target": "core", "kind": "sync", "resource": None, "api": None},
    ]
    [through] = links_between(org["platform"], org["data"], member)
    assert through == {
        "source": "core",
        "target": "store",
        "kind": "data",
        "resource": "store-db",
        "api": None,
    }
    assert links_between(org["platform"], org["front"], member) == []  # it has a direction


def test_nothing_for_someone_not_signed_in(org):
    assert team_coupling(AnonymousUser()) == {"teams": [], "links": []}
    assert links_between(org["front"], org["platform"], AnonymousUser()) == []


def _grow(teams: int):
    """``teams`` more teams, each with two services that call the hub and consume its API."""
    hub = Service.objects.get(slug="auth")
    api = ApiFactory(provider=hub)
    for _ in range(teams):
        team = TeamFactory()
        for service in ServiceFactory.create_batch(2, owner_team=team):
            DependencyFactory(source=service, target_service=hub)
            ApiConsumptionFactory(consumer=service, api=api)


def test_queries_do_not_grow_with_the_number_of_teams(org, member):
    with CaptureQueriesContext(connection) as few:
        small = team_coupling(member)
    _grow(30)
    with CaptureQueriesContext(connection) as many:
        large = team_coupling(member)

    assert len(few) == len(many) == 3
    assert len(large["teams"]) == len(small["teams"]) + 30
    assert {t["slug"]: t for t in large["teams"]}["hub"]["partners"] == 34


def test_rest_document_and_links(org, member_client):
    response = member_client.get("/api/v1/graph/teams/")
    assert response.status_code == 200
    body = response.json()
    assert {t["slug"] for t in body["teams"]} == set(Team.objects.values_list("slug", flat=True))
    assert _link(body, "front", "platform")["weight"] == 4

    page = member_client.get("/api/v1/graph/teams/FRONT/links/platform/").json()
    kinds = [r["kind"] for r in page["results"]]
    assert page["count"] == 4 and kinds == ["api", "sync", "async", "sync"]
    assert member_client.get("/api/v1/graph/teams/front/links/nobody/").status_code == 404
    assert member_client.get("/api/v1/graph/teams/nobody/links/front/").status_code == 404


def test_rest_queries_are_constant(org, member_client):
    with CaptureQueriesContext(connection) as few:
        member_client.get("/api/v1/graph/teams/")
    _grow(20)
    with CaptureQueriesContext(connection) as many:
        body = member_client.get("/api/v1/graph/teams/").json()
    assert len(few) == len(many)
    assert len(body["links"]) >= 25


def test_rest_refuses_without_credentials(org, api_client):
    assert api_client.get("/api/v1/graph/teams/").status_code == 401
    assert api_client.get("/api/v1/graph/teams/front/links/platform/").status_code == 401


def test_the_page_lists_the_most_coupled_team_first(org, member, client):
    client.force_login(member)
    response = client.get("/graph/teams/")
    assert response.status_code == 200
    assert response.context["teams"][0]["slug"] == "hub"
    html = response.content.decode()
    assert 'data-team-graph="/api/v1/graph/teams/"' in html
    assert "/api/v1/graph/teams/__source__/links/__target__/" in html
    assert "<script>" not in html  # nothing inline: the CSP allows only our files
    # and the dependency graph page links to it
    assert 'href="/graph/teams/"' in client.get("/graph/").content.decode()


def test_the_page_asks_to_sign_in(org, client):
    response = client.get("/graph/teams/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


GRAPHQL = """{ teamCoupling {
  teams { slug name services partners weight }
  links { source target weight consumptions dependencies { sync async data } }
} }"""


def test_graphql_gives_the_rest_document(
    org, member, member_client, client, django_assert_max_num_queries
):
    rest = member_client.get("/api/v1/graph/teams/").json()
    client.force_login(member)
    client.post("/graphql/", {"query": "{ __typename }"}, content_type="application/json")
    with django_assert_max_num_queries(6):  # the session, the user, the three of coupling
        response = client.post("/graphql/", {"query": GRAPHQL}, content_type="application/json")
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["teamCoupling"] == rest
