"""The dependency graph: reach, blast radius and cycles on awkward graphs, in two queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.actions import delete_service, remove_dependency, transfer_service, update_service
from catalog.factories import DependencyFactory, ResourceFactory, ServiceFactory
from catalog.graph import (
    UP,
    DependencyGraph,
    blast_radius,
    dependencies_of,
    dependents_of,
    find_cycles,
    reached,
)
from catalog.models import Dependency, Service
from portal.audit import system_actor
from portal.graphdata import graph_elements
from teams.factories import TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def build(team):
    """Build services and edges from ``"a>b b>c"``; a name in ``isolated`` gets no edges."""

    def build(edges: str, isolated: str = "", owners: dict | None = None) -> dict:
        services: dict = {}
        owners = owners or {}

        def get(slug):
            if slug not in services:
                services[slug] = ServiceFactory(slug=slug, owner_team=owners.get(slug, team))
            return services[slug]

        for name in isolated.split():
            get(name)
        for edge in edges.split():
            source, target = edge.split(">")
            DependencyFactory(source=get(source), target_service=get(target))
        return services

    return build


def _pairs(reaches) -> list[tuple[str, int]]:
    return [(r.service.slug, r.depth) for r in reaches]


def _edges() -> set[tuple[int, int]]:
    graph = DependencyGraph.load()
    return {(s, t) for s, targets in graph.down.items() for t in targets}


def _assert_closed_loop(cycle):
    ids = [s.pk for s in cycle.path]
    assert ids[0] == ids[-1], "a cycle's path ends where it starts"
    assert len(ids) - 1 == len(set(ids[:-1])), "no service is visited twice inside the loop"
    edges = _edges()
    for source, target in zip(ids, ids[1:], strict=False):
        assert (source, target) in edges
    assert set(ids) <= {s.pk for s in cycle.services}


# --- reach ----------------------------------------------------------------------------------


def test_a_chain_is_walked_nearest_first_in_both_directions(build):
    s = build("aa>bb bb>cc cc>dd")

    assert _pairs(dependencies_of(s["aa"])) == [("bb", 1), ("cc", 2), ("dd", 3)]
    assert _pairs(dependents_of(s["dd"])) == [("cc", 1), ("bb", 2), ("aa", 3)]
    assert _pairs(dependencies_of(s["dd"])) == []
    assert _pairs(dependents_of(s["aa"])) == []


def test_a_diamond_reports_each_service_once_at_its_shortest_distance(build):
    s = build("aa>bb aa>cc bb>dd cc>dd dd>ee")

    assert _pairs(dependencies_of(s["aa"])) == [("bb", 1), ("cc", 1), ("dd", 2), ("ee", 3)]
    assert _pairs(dependents_of(s["ee"])) == [("dd", 1), ("bb", 2), ("cc", 2), ("aa", 3)]


def test_a_shortcut_edge_makes_the_distance_shorter(build):
    s = build("aa>bb bb>cc cc>dd aa>dd")

    assert _pairs(dependencies_of(s["aa"])) == [("bb", 1), ("dd", 1), ("cc", 2)]


def test_equal_depths_are_ordered_by_slug(build):
    s = build("hub>zeta hub>alpha hub>mid")

    assert _pairs(dependencies_of(s["hub"])) == [("alpha", 1), ("mid", 1), ("zeta", 1)]


def test_a_walk_through_a_two_cycle_ends_and_leaves_out_the_start(build):
    s = build("aa>bb bb>aa")

    assert _pairs(dependencies_of(s["aa"])) == [("bb", 1)]
    assert _pairs(dependents_of(s["aa"])) == [("bb", 1)]


def test_a_walk_around_a_three_cycle_reaches_everyone_once(build):
    s = build("aa>bb bb>cc cc>aa cc>dd")

    assert _pairs(dependencies_of(s["aa"])) == [("bb", 1), ("cc", 2), ("dd", 3)]
    assert _pairs(dependents_of(s["aa"])) == [("cc", 1), ("bb", 2)]


def test_an_isolated_service_has_empty_results(build):
    s = build("aa>bb", isolated="lonely")

    assert dependencies_of(s["lonely"]) == []
    assert dependents_of(s["lonely"]) == []
    radius = blast_radius(s["lonely"])
    assert (radius.dependents, radius.by_team, radius.direct) == ([], {}, [])


def test_an_empty_catalog_has_no_cycles():
    assert find_cycles() == []


def test_max_depth_stops_the_walk(build):
    s = build("aa>bb bb>cc cc>dd dd>ee")

    assert _pairs(dependencies_of(s["aa"], max_depth=2)) == [("bb", 1), ("cc", 2)]
    assert _pairs(dependents_of(s["ee"], max_depth=1)) == [("dd", 1)]
    assert dependencies_of(s["aa"], max_depth=0) == []


def test_max_depth_counts_shortest_distances_in_a_cycle(build):
    s = build("aa>bb bb>cc cc>aa aa>cc")

    assert _pairs(dependencies_of(s["aa"], max_depth=1)) == [("bb", 1), ("cc", 1)]


def test_non_transitive_means_direct_only_whatever_max_depth_says(build):
    s = build("aa>bb bb>cc aa>dd")

    assert _pairs(dependencies_of(s["aa"], transitive=False)) == [("bb", 1), ("dd", 1)]
    assert _pairs(dependencies_of(s["aa"], transitive=False, max_depth=5)) == [("bb", 1), ("dd", 1)]
    assert _pairs(dependents_of(s["cc"], transitive=False)) == [("bb", 1)]


# --- resources ------------------------------------------------------------------------------


def test_a_dependency_on_a_resource_counts_as_one_on_its_owning_service(build):
    s = build("", isolated="reports orders")
    db = ResourceFactory(service=s["orders"], slug="orders-db")
    DependencyFactory(source=s["reports"], target_service=None, target_resource=db)

    assert _pairs(dependencies_of(s["reports"])) == [("orders", 1)]
    assert _pairs(dependents_of(s["orders"])) == [("reports", 1)]


def test_resource_and_service_edges_to_one_service_are_one_edge(build):
    s = build("reports>orders")
    for n in range(2):
        db = ResourceFactory(service=s["orders"], slug=f"orders-db-{n}")
        DependencyFactory(source=s["reports"], target_service=None, target_resource=db)

    assert _pairs(dependencies_of(s["reports"])) == [("orders", 1)]
    assert _pairs(blast_radius(s["orders"]).dependents) == [("reports", 1)]


def test_a_service_using_its_own_resource_is_not_its_own_dependency(build):
    s = build("", isolated="orders")
    db = ResourceFactory(service=s["orders"])
    DependencyFactory(source=s["orders"], target_service=None, target_resource=db)

    assert dependencies_of(s["orders"]) == []
    assert dependents_of(s["orders"]) == []
    assert find_cycles() == []


def test_resource_edges_are_walked_transitively_and_close_cycles(build):
    s = build("aa>bb")
    db = ResourceFactory(service=s["aa"], slug="a-db")
    DependencyFactory(source=s["bb"], target_service=None, target_resource=db)

    assert _pairs(dependencies_of(s["aa"])) == [("bb", 1)]
    (cycle,) = find_cycles()
    assert [x.slug for x in cycle.services] == ["aa", "bb"]
    _assert_closed_loop(cycle)


def test_a_slice_of_a_walk_fetches_only_its_own_services(build):
    # The REST walks page through a core service's 10,000 dependents this way.
    s = build("bb>aa cc>aa dd>bb ee>dd")
    walk = reached(s["aa"], UP)
    fetched = []

    def spy(execute, sql, params, many, context):
        if "catalog_service" in sql:
            fetched.append(len(params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        page = walk[1:3]

    assert len(walk) == 4
    assert _pairs(page) == [("cc", 1), ("dd", 2)]
    assert fetched == [2]


# --- blast radius ---------------------------------------------------------------------------


def test_blast_radius_groups_everything_that_fails_by_team(build):
    alpha, beta = TeamFactory(slug="alpha"), TeamFactory(slug="beta")
    owners = {"db": alpha, "api": alpha, "web": beta, "mobile": beta, "batch": alpha}
    s = build("api>db web>api mobile>api batch>db other>web", owners=owners)

    radius = blast_radius(s["db"])

    assert _pairs(radius.dependents) == [
        ("api", 1),
        ("batch", 1),
        ("mobile", 2),
        ("web", 2),
        ("other", 3),
    ]
    assert [r.service.slug for r in radius.direct] == ["api", "batch"]
    assert [team.slug for team in radius.by_team] == ["alpha", "beta", "payments"]
    assert {team.slug: _pairs(reaches) for team, reaches in radius.by_team.items()} == {
        "alpha": [("api", 1), ("batch", 1)],
        "beta": [("mobile", 2), ("web", 2)],
        "payments": [("other", 3)],
    }
    assert radius.service == s["db"]


def test_blast_radius_of_a_cycle_member_does_not_include_itself(build):
    s = build("aa>bb bb>cc cc>aa")

    radius = blast_radius(s["aa"])

    assert _pairs(radius.dependents) == [("cc", 1), ("bb", 2)]


# --- cycles ---------------------------------------------------------------------------------


def test_an_acyclic_graph_has_no_cycles(build):
    build("aa>bb aa>cc bb>dd cc>dd")

    assert find_cycles() == []


def test_a_two_cycle_is_found_as_a_closed_loop(build):
    build("aa>bb bb>aa bb>cc")

    (cycle,) = find_cycles()

    assert [s.slug for s in cycle.services] == ["aa", "bb"]
    assert len(cycle.path) == 3
    _assert_closed_loop(cycle)


def test_a_three_cycle_is_found_as_a_closed_loop(build):
    build("xx>aa aa>bb bb>cc cc>aa")

    (cycle,) = find_cycles()

    assert [s.slug for s in cycle.services] == ["aa", "bb", "cc"]
    assert len(cycle.path) == 4
    _assert_closed_loop(cycle)


def test_two_separate_cycles_are_reported_largest_first(build):
    build("aa>bb bb>aa xx>yy yy>zz zz>xx bb>xx")

    cycles = find_cycles()

    assert [[s.slug for s in c.services] for c in cycles] == [["xx", "yy", "zz"], ["aa", "bb"]]
    for cycle in cycles:
        _assert_closed_loop(cycle)


def test_cycles_of_equal_size_are_ordered_by_their_first_slug(build):
    build("pp>qq qq>pp cc>dd dd>cc")

    assert [[s.slug for s in c.services] for c in find_cycles()] == [["cc", "dd"], ["pp", "qq"]]


def test_nested_cycles_form_one_group_with_one_real_loop(build):
    # a<->b, and a longer loop b>c>d>a through the same services
    build("aa>bb bb>aa bb>cc cc>dd dd>aa dd>ee")

    (cycle,) = find_cycles()

    assert [s.slug for s in cycle.services] == ["aa", "bb", "cc", "dd"]
    _assert_closed_loop(cycle)


def test_a_figure_eight_is_one_group(build):
    build("hub>aa aa>hub hub>bb bb>cc cc>hub")

    (cycle,) = find_cycles()

    assert [s.slug for s in cycle.services] == ["aa", "bb", "cc", "hub"]
    _assert_closed_loop(cycle)


# --- incremental updates -------------------------------------------------------------------


def _rows(*services) -> list[tuple]:
    """What ``apply`` is given for each service: its node and every service it depends on
    (a resource counting as its owner), or None for targets once it is gone."""
    rows = []
    for service in services:
        node = Service.objects.filter(pk=service.pk).values_list("slug", "owner_team", "tier")
        if not node:
            rows.append((service.pk, service.slug, service.owner_team_id, service.tier, None))
            continue
        edges = Dependency.objects.filter(source=service.pk)
        targets = {
            t or via for t, via in edges.values_list("target_service", "target_resource__service")
        }
        rows.append((service.pk, *node.get(), targets))
    return rows


def _state(graph: DependencyGraph) -> tuple:
    return graph.nodes, graph.down, graph.up, graph.strongly_connected(), graph.dependency_count


def _add(s):
    late = ServiceFactory(slug="late", owner_team=s["aa"].owner_team)
    DependencyFactory(source=late, target_service=s["aa"])
    DependencyFactory(source=s["aa"], target_service=s["dd"])
    return [late, s["aa"]]


def _add_through_resources(s):
    store = ResourceFactory(service=s["dd"])
    DependencyFactory(source=s["bb"], target_service=None, target_resource=store)
    DependencyFactory(source=s["dd"], target_service=None, target_resource=store)  # its own
    return [s["bb"], s["dd"]]


def _remove(s):  # the edge that closes the cycle
    remove_dependency(Dependency.objects.get(source=s["dd"]), actor=system_actor(), via="cli")
    return [s["dd"]]


def _move(s):  # an edge moved to another target, a service to another team, a tier changed
    remove_dependency(Dependency.objects.get(source=s["aa"]), actor=system_actor(), via="cli")
    DependencyFactory(source=s["aa"], target_service=s["cc"])
    transfer_service(s["bb"], new_owner=TeamFactory(), actor=system_actor(), via="cli")
    update_service(s["cc"], tier=1, actor=system_actor(), via="cli")
    return [s["aa"], s["bb"], s["cc"]]


def _delete(s):
    delete_service(s["aa"], actor=system_actor(), via="cli")
    return [s["aa"]]


@pytest.mark.parametrize("change", [_add, _add_through_resources, _remove, _move, _delete])
def test_applying_the_changed_services_gives_the_graph_a_fresh_load_gives(build, change):
    # given a loaded graph with a cycle (bb, cc, dd) whose groups were worked out
    s = build("aa>bb bb>cc cc>dd dd>bb", isolated="zz")
    graph = DependencyGraph.load()
    graph.strongly_connected()
    # when the catalog changes and the services it changed are applied
    graph.apply(_rows(*change(s)))
    # then the graph is the one loaded afresh, cycles and count included
    assert _state(graph) == _state(DependencyGraph.load())


def test_applying_changes_no_set_a_reader_holds(build):
    # Threaded workers share the graph: a walk in progress keeps the sets it was given.
    s = build("aa>cc bb>cc")
    graph = DependencyGraph.load()
    held = graph.up[s["cc"].pk]

    graph.apply(_rows(*_delete(s)))

    assert held == {s["aa"].pk, s["bb"].pk}
    assert graph.up[s["cc"].pk] == {s["bb"].pk}


def test_the_process_copy_follows_each_write_with_the_rows_it_changed(build):
    # Kept while the generation stands: a copy of the commit-ordered generation is the
    # committed catalog. After a write, only the documents that write changed are read.
    s = build("aa>bb")
    graph = DependencyGraph.current()
    assert DependencyGraph.current() is graph

    added = DependencyFactory(source=s["bb"], target_service=ServiceFactory())
    with CaptureQueriesContext(connection) as queries:
        again = DependencyGraph.current()

    assert again is graph and again.down[s["bb"].pk] == {added.target_service_id}
    assert len(queries) == 3  # the generation, the changed documents, the gone ones


# --- query counts ---------------------------------------------------------------------------


def _catalog(size: int, team, prefix: str = "ss") -> list:
    """A chain with shortcuts, back edges (cycles) and a resource edge."""
    services = [ServiceFactory(slug=f"{prefix}{n:03}", owner_team=team) for n in range(size)]
    for n in range(size - 1):
        DependencyFactory(source=services[n], target_service=services[n + 1])
    for n in range(0, size - 3, 3):
        DependencyFactory(source=services[n], target_service=services[n + 3])
    for n in range(4, size, 4):
        DependencyFactory(source=services[n], target_service=services[n - 4])
    db = ResourceFactory(service=services[-1])
    DependencyFactory(source=services[size // 2], target_service=None, target_resource=db)
    return services


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


CALLS = {
    "dependencies_of": lambda s: dependencies_of(s[0]),
    "dependents_of": lambda s: dependents_of(s[-1]),
    "blast_radius": lambda s: blast_radius(s[-1]),
    "find_cycles": lambda s: find_cycles(),
}


@pytest.mark.parametrize("size", [5, 60])
def test_every_question_costs_at_most_four_queries(team, size, django_assert_max_num_queries):
    services = _catalog(size, team)

    for call in CALLS.values():
        DependencyGraph.forget()
        with django_assert_max_num_queries(4):  # generation, the graph's services and edges,
            result = call(services)  # the services answered
        assert result  # the graph is non-trivial: there was something to load
        with django_assert_max_num_queries(2):  # the graph is held: generation, services
            call(services)

    radius = blast_radius(services[-1])
    with django_assert_max_num_queries(0):  # owner teams came with the services
        assert {r.service.owner_team.slug for r in radius.dependents} == {"payments"}


def test_the_graph_is_read_again_only_when_the_catalog_changed(team):
    a, b, c = (ServiceFactory(owner_team=team) for _ in range(3))
    DependencyFactory(source=a, target_service=b)
    assert _pairs(dependencies_of(a)) == [(b.slug, 1)]

    # The same generation: the process's copy answers, with no edge query
    with CaptureQueriesContext(connection) as captured:
        dependencies_of(a)
    assert not any("catalog_dependency" in q["sql"] for q in captured.captured_queries)

    # A write moves the generation: the next answer sees it
    DependencyFactory(source=b, target_service=c)
    assert _pairs(dependencies_of(a)) == [(b.slug, 1), (c.slug, 2)]


def test_query_counts_do_not_grow_with_the_catalog():
    small = _catalog(5, TeamFactory(), prefix="small")
    small_counts = {name: _queries(lambda c=call: c(small)) for name, call in CALLS.items()}

    large = _catalog(60, TeamFactory(), prefix="large")
    large_counts = {name: _queries(lambda c=call: c(large)) for name, call in CALLS.items()}

    assert large_counts == small_counts


def test_a_loaded_graph_is_reused_across_questions(build, django_assert_num_queries):
    s = build("aa>bb bb>cc cc>aa")
    graph = DependencyGraph.load()

    with django_assert_num_queries(4):
        dependencies_of(s["aa"], graph=graph)
        dependents_of(s["aa"], graph=graph)
        blast_radius(s["bb"], graph=graph)
        find_cycles(graph=graph)


def test_cycle_groups_are_worked_out_once_per_loaded_graph(build):
    # Every service page asks for them; a loaded graph never changes.
    services = build("aa>bb bb>aa cc>dd")
    graph = DependencyGraph.load()

    first = graph.strongly_connected()

    assert first == (frozenset({services["aa"].pk, services["bb"].pk}),)
    assert graph.strongly_connected() is first


def test_a_neighbourhood_picture_keeps_the_focus_and_the_most_critical_within_its_limit(build):
    services = build("aa>bb aa>cc aa>dd")
    for slug, tier in {"bb": 1, "cc": 4, "dd": 2}.items():
        type(services[slug]).objects.filter(pk=services[slug].pk).update(tier=tier)

    elements = graph_elements(service=services["aa"], depth=1, limit=3)

    assert elements["truncated"]
    assert sorted(n["data"]["label"] for n in elements["nodes"]) == ["aa", "bb", "dd"]
