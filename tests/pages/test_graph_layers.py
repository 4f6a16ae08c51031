"""The layers of a large picture (``portal.graphlayers``) and what the graph page embeds for
the browser: ranks from callers to callees, cycles that do not break the layering, a stable
order, and edge kinds."""

import pytest

from catalog.factories import DependencyFactory, ResourceFactory, ServiceFactory
from catalog.graph import DependencyGraph
from catalog.models import Dependency
from portal.graphdata import graph_elements
from portal.graphlayers import layers


def test_callers_are_ranked_above_what_they_call():
    placed = layers([1, 2, 3, 4], [(1, 2), (2, 3), (1, 3), (4, 3)])

    assert {node: rank for node, (rank, _) in placed.items()} == {1: 0, 2: 1, 3: 2, 4: 0}
    # ranks are longest paths: 3 is below 2 although 1 calls it directly too


def test_a_cycle_is_one_step_of_several_ranks_and_below_its_callers():
    # 1 -> (2 <-> 3) -> 4
    placed = layers([1, 2, 3, 4], [(1, 2), (2, 3), (3, 2), (3, 4)])

    ranks = {node: rank for node, (rank, _) in placed.items()}
    assert ranks[1] < ranks[2] < ranks[3] < ranks[4]


def test_the_order_in_a_rank_follows_the_callers_and_is_stable():
    # two callers, each with its own two callees given in crossed order
    nodes = [1, 2, 10, 20, 11, 21]
    edges = [(1, 10), (1, 11), (2, 20), (2, 21)]

    placed = layers(nodes, edges)

    row = sorted((order, node) for node, (rank, order) in placed.items() if rank == 1)
    assert [node for _, node in row] == [10, 11, 20, 21]  # no crossings left
    assert layers(nodes, edges) == placed


@pytest.mark.django_db
def test_the_page_data_carries_layers_and_edge_kinds(team):
    a, b, c = (ServiceFactory(slug=s, owner_team=team) for s in ("aa", "bb", "cc"))
    DependencyFactory(source=a, target_service=b, kind=Dependency.Kind.ASYNC)
    DependencyFactory(
        source=a, target_service=None, target_resource=ResourceFactory(service=c), kind="data"
    )
    DependencyFactory(source=a, target_service=c, kind=Dependency.Kind.SYNC)
    DependencyGraph.forget()

    elements = graph_elements()

    nodes = {n["data"]["label"]: n["data"] for n in elements["nodes"]}
    assert nodes["aa"]["rank"] == 0 and nodes["bb"]["rank"] == nodes["cc"]["rank"] == 1
    edges = {e["data"]["target"]: e["data"] for e in elements["edges"]}
    assert edges[f"s{b.pk}"]["kind"] == "async"
    # two dependencies between aa and cc: both kinds, drawn as the first in Kind's order
    assert edges[f"s{c.pk}"]["kinds"] == ["sync", "data"] and edges[f"s{c.pk}"]["kind"] == "sync"
    assert [k["kind"] for k in elements["kinds"]] == ["sync", "async", "data"]
