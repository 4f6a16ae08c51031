"""The dependency graph over REST: walks with depth, the blast radius by team, and cycles."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.factories import DependencyFactory, ResourceFactory, ServiceFactory
from catalog.graph import DependencyGraph
from catalog.models import Service
from teams.factories import TeamFactory


@pytest.fixture
def chain(db):
    """web -> api -> core -> db-owner (through its resource), each owned by its own team but
    web and api, which team front shares."""
    front, platform, data = (TeamFactory(slug=s) for s in ("front", "platform", "data"))
    web = ServiceFactory(slug="web", owner_team=front)
    api = ServiceFactory(slug="api", owner_team=front)
    core = ServiceFactory(slug="core", owner_team=platform)
    store = ServiceFactory(slug="store", owner_team=data)
    DependencyFactory(source=web, target_service=api)
    DependencyFactory(source=api, target_service=core)
    store_db = ResourceFactory(slug="store-db", service=store)
    DependencyFactory(source=core, target_service=None, target_resource=store_db)
    return {"web": web, "api": api, "core": core, "store": store}


def _walk(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return [(row["slug"], row["depth"]) for row in response.json()["results"]]


def test_dependencies_are_transitive_by_default_nearest_first(chain, member_client):
    assert _walk(member_client, "/api/v1/services/web/dependencies/") == [
        ("api", 1),
        ("core", 2),
        ("store", 3),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("transitive=false", [("api", 1)]),
        ("max_depth=2", [("api", 1), ("core", 2)]),
        ("transitive=false&max_depth=3", [("api", 1)]),
    ],
)
def test_dependencies_honour_depth_parameters(query, expected, chain, member_client):
    assert _walk(member_client, f"/api/v1/services/web/dependencies/?{query}") == expected


def test_dependents_walk_upwards(chain, member_client):
    assert _walk(member_client, "/api/v1/services/store/dependents/?max_depth=2") == [
        ("core", 1),
        ("api", 2),
    ]


def test_the_walk_pages_like_every_list(chain, member_client):
    body = member_client.get("/api/v1/services/web/dependencies/?page_size=1&page=2").json()
    assert body["count"] == 3
    assert [row["slug"] for row in body["results"]] == ["core"]


def test_the_blast_radius_groups_dependents_by_the_team_paged(chain, member_client):
    body = member_client.get("/api/v1/services/store/blast-radius/").json()
    assert (body["service"], body["count"], body["direct"]) == ("store", 3, 1)
    assert [
        (team["team"], team["services"], team["direct"], team["nearest"]) for team in body["teams"]
    ] == [("front", 2, 0, 2), ("platform", 1, 1, 1)]


def test_cycles_list_their_services_and_one_loop(chain, member_client):
    # given no cycle, then one closed by core -> web
    assert member_client.get("/api/v1/graph/cycles/").json()["count"] == 0
    DependencyFactory(source=chain["core"], target_service=chain["web"])
    # when the cycles are read
    [cycle] = member_client.get("/api/v1/graph/cycles/").json()["results"]
    # then the group and a closed path through it are given by slug
    assert cycle["services"] == ["api", "core", "web"]
    assert cycle["path"][0] == cycle["path"][-1]
    assert sorted(set(cycle["path"])) == ["api", "core", "web"]


def _fan_in(prefix: str, size: int) -> Service:
    """A hub that ``size - 1`` services reach, up to log2(size) edges away, owned by a team
    for every four of them."""
    teams = [TeamFactory(slug=f"{prefix}-team-{n}") for n in range(size // 4)]
    services: list = []
    for n in range(size):
        services.append(ServiceFactory(slug=f"{prefix}-{n}", owner_team=teams[n % len(teams)]))
        if n:
            DependencyFactory(source=services[n], target_service=services[(n - 1) // 2])
    return services[0]


def _read(client, url) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured), response.json()


@pytest.mark.parametrize(
    ("url", "size_of"),
    [
        ("/api/v1/services/{}/dependents/?page_size=5", lambda body: len(body["results"])),
        ("/api/v1/services/{}/blast-radius/", lambda body: len(body["teams"])),
    ],
)
def test_a_page_of_dependents_and_a_blast_radius_cost_the_same_at_any_size(
    url, size_of, member_client
):
    counts = {}
    for size in (8, 64):
        # given a hub reached by size - 1 services of size / 4 teams
        hub = _fan_in(f"s{size}", size)
        # when it is asked about with the graph to load, then with the graph held
        DependencyGraph.forget()
        cold, body = _read(member_client, url.format(hub.slug))
        warm, again = _read(member_client, url.format(hub.slug))
        # then every service was counted, only a page (or the teams) fetched ...
        assert body["count"] == size - 1
        assert size_of(body) == (5 if "dependents" in url else size // 4)
        assert again == body
        assert cold - warm == 2  # the graph's services and edges, read once
        counts[size] = cold, warm
    # ... for the same number of queries however many were reached
    assert counts[8] == counts[64]
