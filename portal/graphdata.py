"""The dependency graph as elements for the client-side graph (Cytoscape.js).

Built from ``catalog.graph.DependencyGraph`` (one query for every edge), one query for the
services shown and one for the kinds of the edges between them, so a picture of the whole
catalog costs the same number of queries as a picture of one service. Cycles are found with
the graph's strongly connected groups: a node or edge inside one is marked ``cycle``, and each
group is listed (its services and one loop through them) so that the page can show it.

Everything is ordered (nodes by slug, edges by their ends, cycles largest first): the layout
in the browser is a function of its input, so the same catalog draws the same picture.
"""

from collections import defaultdict

from django.conf import settings
from django.urls import reverse

from catalog.graph import DOWN, UP, DependencyGraph
from catalog.models import Dependency, Service

from .graphlayers import layers

DEPTH_CHOICES = [(1, "1"), (2, "2"), (3, "3"), (4, "4"), (6, "6")]


def max_nodes() -> int:
    return getattr(settings, "KEEL_GRAPH_MAX_NODES", 1500)


def _edge_kinds(shown: set[int]) -> dict[tuple[int, int], list[str]]:
    """The kinds of the dependencies behind each pair of services (a dependency on a resource
    counts for the resource's service, as in the graph), in ``Dependency.Kind``'s order."""
    rows = Dependency.objects.order_by().values_list(
        "source_id", "target_service_id", "target_resource__service_id", "kind"
    )
    if len(shown) <= 500:  # keep clear of SQL parameter limits: filter in memory beyond
        rows = rows.filter(source_id__in=shown)
    order = {kind.value: number for number, kind in enumerate(Dependency.Kind)}
    kinds: dict[tuple[int, int], set[str]] = defaultdict(set)
    for source, target, via, kind in rows:
        if source in shown:
            kinds[source, target or via].add(kind)
    return {pair: sorted(found, key=order.__getitem__) for pair, found in kinds.items()}


def _cycles(graph: DependencyGraph, groups, shown: set[int]) -> list[dict]:
    """Each cycle with a service in the picture: its services shown, and one loop through the
    whole group starting at its first slug; largest first."""
    nodes = graph.nodes
    cycles = []
    for group in groups:
        members = sorted(group & shown & nodes.keys(), key=lambda pk: nodes[pk].slug)
        if not members:
            continue
        loop = [nodes[pk].slug for pk in graph.loop_through(set(group))[:-1] if pk in nodes]
        start = loop.index(min(loop))
        cycles.append(
            {
                "nodes": [f"s{pk}" for pk in members],
                "services": [nodes[pk].slug for pk in members],
                "path": [*loop[start:], *loop[:start], loop[start]],
            }
        )
    cycles.sort(key=lambda c: (-len(c["services"]), c["services"][0]))
    for number, cycle in enumerate(cycles, 1):
        cycle["id"] = f"c{number}"
    return cycles


def _neighbourhood(graph: DependencyGraph, start_ids, depth: int | None) -> set[int]:
    ids = set(start_ids)
    for start in start_ids:
        ids |= graph.walk(start, DOWN, depth).keys()
        ids |= graph.walk(start, UP, depth).keys()
    return ids


def graph_elements(
    *, team=None, service=None, depth: int | None = None, graph=None, limit: int | None = None
) -> dict:
    """Nodes and edges around ``service``, around ``team``'s services, or of everything.

    ``depth`` limits how many edges away from the focus a node may be (None: no limit);
    beyond ``limit`` nodes (default ``KEEL_GRAPH_MAX_NODES``) the focus and the most
    critical tiers are kept.
    """
    limit = limit or max_nodes()
    graph = graph or DependencyGraph.current()
    services = Service.objects.order_by("slug").values(
        "pk", "slug", "name", "tier", "lifecycle", "owner_team__slug", "owner_team__name"
    )
    focus: set[int] = set()
    if service is not None:
        focus = {service.pk}
    elif team is not None:
        focus = set(Service.objects.filter(owner_team=team).values_list("pk", flat=True))
    if service is not None or team is not None:
        wanted = _neighbourhood(graph, focus, depth)
        rows = (
            [r for r in services if r["pk"] in wanted]
            if len(wanted) > 500  # keep clear of SQL parameter limits: filter in memory
            else list(services.filter(pk__in=wanted))
        )
    else:
        rows = list(services)
    truncated = len(rows) > limit
    if truncated:
        keep = sorted(rows, key=lambda r: (r["pk"] not in focus, r["tier"], r["slug"]))
        rows = sorted(keep[:limit], key=lambda r: r["slug"])
    shown = {r["pk"] for r in rows}
    group_of = {}
    groups = graph.strongly_connected()
    for number, group in enumerate(groups):
        for pk in group:
            group_of[pk] = number
    kinds = _edge_kinds(shown)
    pairs = [
        (source, target)
        for source in sorted(shown)
        for target in sorted(graph.down.get(source, ()))
        if target in shown
    ]
    placed = layers([r["pk"] for r in rows], pairs)
    edges = [
        {
            "data": {
                "id": f"e{source}-{target}",
                "source": f"s{source}",
                "target": f"s{target}",
                "kind": kinds.get((source, target), [Dependency.Kind.SYNC.value])[0],
                "kinds": kinds.get((source, target), [Dependency.Kind.SYNC.value]),
                "cycle": source in group_of and group_of.get(target) == group_of[source],
            }
        }
        for source, target in pairs
    ]
    url = reverse("catalog:service-detail", kwargs={"slug": "__slug__"})
    nodes = [
        {
            "data": {
                "id": f"s{r['pk']}",
                "label": r["slug"],
                "name": r["name"],
                "team": r["owner_team__slug"],
                "teamName": r["owner_team__name"],
                "tier": r["tier"],
                "lifecycle": r["lifecycle"],
                "url": url.replace("__slug__", r["slug"]),
                "cycle": r["pk"] in group_of,
                "focus": r["pk"] in focus,
                "rank": placed[r["pk"]][0],
                "order": placed[r["pk"]][1],
            }
        }
        for r in rows
    ]
    teams = sorted({(r["owner_team__slug"], r["owner_team__name"]) for r in rows})
    return {
        "nodes": nodes,
        "edges": edges,
        "teams": [{"slug": slug, "name": name} for slug, name in teams],
        "cycles": _cycles(graph, groups, shown),
        "kinds": [{"kind": kind.value, "label": kind.label} for kind in Dependency.Kind],
        "truncated": truncated,
    }
