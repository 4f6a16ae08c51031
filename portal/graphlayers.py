"""Layers for pictures too large for dagre: each service's rank (callers above callees) and its
place in its rank, worked out on the server in linear time.

dagre lays out a 100-service catalog in half a second in Chromium, but a random 500-service
catalog takes 10 to 25 s there (measured in benchmarks/README.md): its long edges become
chains of dummy nodes that its ordering and positioning passes walk again and again. Large
pictures are therefore drawn from these layers with Cytoscape's preset layout (graph.js),
spaced by each label's width, so labels still never sit on nodes.

Ranks are the longest path through the graph of cycles (networkx's condensation: every group
of services that reach each other is one step), and inside a cycle the distance from its
first service; the order in each rank comes from a few barycentre sweeps (Sugiyama's
heuristic for fewer crossings), with ties broken by the input order. Both are functions of
their input, so the same catalog always gives the same layers.
"""

import networkx as nx

SWEEPS = 4


def layers(nodes: list[int], edges: list[tuple[int, int]]) -> dict[int, tuple[int, int]]:
    """``{node: (rank, order)}`` for ``nodes`` (in their display order) and ``edges``
    (caller, callee)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    position = {node: number for number, node in enumerate(nodes)}
    condensed = nx.condensation(graph)
    inner: dict[int, int] = {}
    height: dict[int, int] = {}
    for group in condensed:
        members = condensed.nodes[group]["members"]
        start = min(members, key=position.__getitem__)
        depths = nx.single_source_shortest_path_length(graph.subgraph(members), start)
        inner.update(depths)
        height[group] = max(depths.values()) + 1
    base: dict[int, int] = {}
    for group in nx.topological_sort(condensed):
        base[group] = max((base[p] + height[p] for p in condensed.predecessors(group)), default=0)
    mapping = condensed.graph["mapping"]
    rank = {node: base[mapping[node]] + inner[node] for node in nodes}
    return _ordered(graph, nodes, rank)


def _ordered(graph: nx.DiGraph, nodes: list[int], rank: dict[int, int]) -> dict:
    rows: dict[int, list[int]] = {}
    for node in nodes:
        rows.setdefault(rank[node], []).append(node)
    place = {node: index for row in rows.values() for index, node in enumerate(row)}
    ranks = sorted(rows)
    for sweep in range(SWEEPS):
        downwards = sweep % 2 == 0
        neighbours = graph.predecessors if downwards else graph.successors
        for r in ranks if downwards else reversed(ranks):
            row = rows[r]

            def key(node, row_rank=r, neighbours=neighbours):
                near = [place[n] for n in neighbours(node) if rank[n] != row_rank]
                return (sum(near) / len(near)) if near else place[node]

            row.sort(key=lambda node: (key(node), place[node]))
            place.update((node, index) for index, node in enumerate(row))
    return {node: (rank[node], place[node]) for node in nodes}
