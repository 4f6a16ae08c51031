"""The dependency graph as elements for the client-side graph (Cytoscape.js).

Built from ``catalog.graph.DependencyGraph`` (one query for every edge) and one query for the
services shown, so a picture of the whole catalog costs the same number of queries as a
picture of one service. Cycles are found with the graph's strongly connected groups: a node
or edge inside one is marked ``cycle`` and drawn in the warning colour.
"""

from django.conf import settings
from django.urls import reverse

from catalog.graph import DOWN, UP, DependencyGraph
from catalog.models import Service

DEPTH_CHOICES = [(1, "1"), (2, "2"), (3, "3"), (4, "4"), (6, "6")]


def max_nodes() -> int:
    return getattr(settings, "KEEL_GRAPH_MAX_NODES", 1500)


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
    for number, group in enumerate(graph.strongly_connected()):
        for pk in group:
            group_of[pk] = number
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
            }
        }
        for r in rows
    ]
    edges = [
        {
            "data": {
                "id": f"e{source}-{target}",
                "source": f"s{source}",
                "target": f"s{target}",
                "cycle": source in group_of and group_of.get(target) == group_of[source],
            }
        }
        for source in sorted(shown)
        for target in sorted(graph.down.get(source, ()))
        if target in shown
    ]
    teams = sorted({(r["owner_team__slug"], r["owner_team__name"]) for r in rows})
    return {
        "nodes": nodes,
        "edges": edges,
        "teams": [{"slug": slug, "name": name} for slug, name in teams],
        "cycles": len({group_of[pk] for pk in shown if pk in group_of}),
        "truncated": truncated,
    }
