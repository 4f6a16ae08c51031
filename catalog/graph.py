"""The dependency graph between services: what a service needs, what breaks when it fails,
and where the catalog has cycles.

The edges are loaded in one query and walked in memory: at 50,000 edges that is a few tens of
milliseconds, works the same on SQLite and PostgreSQL, and is exact on graphs with cycles
(a recursive CTE that tracks depth multiplies rows on diamonds and cycles). A dependency on a
resource counts as a dependency on the service that owns the resource: if that service goes
down, so does its database from its dependents' point of view.

Every function costs at most three queries, however large the answer: the catalog generation,
the edges (unless this process already holds the graph of that generation, see
``DependencyGraph.current``) and the services it returns.
"""

import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

import networkx as nx
from django.conf import settings
from django.db.models import Q

from portal.audit import generation
from teams.models import Team

from .models import Dependency, Service

DOWN, UP = "down", "up"  # down: what a service depends on; up: what depends on it

# Past this many ids, reading three narrow columns of every service beats building, sending
# and planning an IN list (a core service's 10,000 dependents: 200 ms against 15 ms).
_LARGEST_IN_LIST = 1000

_loaded: dict = {}  # "graph" -> (generation, loaded at, DependencyGraph); see current()


@dataclass(frozen=True)
class Reach:
    """A service reached from the start, ``depth`` edges away (1 = direct)."""

    service: Service
    depth: int


@dataclass
class BlastRadius:
    """Everything that fails, directly or transitively, when ``service`` fails."""

    service: Service
    dependents: list[Reach]
    by_team: dict = field(default_factory=dict)  # Team -> list[Reach]

    @property
    def direct(self) -> list[Reach]:
        return [r for r in self.dependents if r.depth == 1]


@dataclass(frozen=True)
class TeamImpact:
    """How hard one team is hit when a service fails."""

    team: Team
    services: int
    direct: int
    nearest: int  # the fewest edges between the failure and one of the team's services
    most_critical_tier: int


@dataclass
class Cycle:
    """A strongly connected group of services, and one concrete loop through them."""

    services: list[Service]
    path: list[Service]


class DependencyGraph:
    """Adjacency in both directions between service ids."""

    def __init__(self, edges):
        self.down: dict[int, set[int]] = defaultdict(set)
        self.up: dict[int, set[int]] = defaultdict(set)
        self._components: tuple[frozenset[int], ...] | None = None
        for source, target in edges:
            if source != target:  # a service using its own resource is not a dependency
                self.down[source].add(target)
                self.up[target].add(source)

    @property
    def dependency_count(self) -> int:
        """The catalog's one "dependency count", shown by the overview, the graph page and
        ``seed_demo``: pairs of services where one needs the other. A dependency on a resource
        counts as one on the resource's service, a pair counts once however many edges join
        it, and a service's use of its own resources does not count."""
        return sum(len(targets) for targets in self.down.values())

    @classmethod
    def load(cls, edges=None) -> "DependencyGraph":
        """The whole graph, or only the ``edges`` (a Dependency queryset) given."""
        edges = Dependency.objects.all() if edges is None else edges
        rows = edges.order_by().values_list(
            "source_id", "target_service_id", "target_resource__service_id"
        )
        return cls((source, target or via_resource) for source, target, via_resource in rows)

    @classmethod
    def current(cls) -> "DependencyGraph":
        """The whole graph, kept in this process for as long as the catalog generation stays
        the same (``portal.audit.generation``): reading 50,000 edges costs far more than
        walking them. Every write moves the generation, ``generate_catalog`` too; the copy is
        read again after ``KEEL_LIST_CACHE_SECONDS`` all the same, for rows written by hand."""
        now, current = time.monotonic(), generation()
        cached = _loaded.get("graph")
        if cached and cached[0] == current and now - cached[1] < settings.KEEL_LIST_CACHE_SECONDS:
            return cached[2]
        graph = cls.load()
        _loaded["graph"] = (current, now, graph)
        return graph

    @classmethod
    def forget(cls) -> None:
        """Drop the process's copy (tests roll back writes, and with them generations)."""
        _loaded.clear()

    @classmethod
    def around(cls, ids, direction: str) -> "DependencyGraph":
        """Only the edges leaving (down) or reaching (up) ``ids``: enough for direct
        neighbours, without reading the whole graph."""
        ids = list(ids)
        if direction == DOWN:
            near = Q(source_id__in=ids)
        else:
            near = Q(target_service_id__in=ids) | Q(target_resource__service_id__in=ids)
        return cls.load(Dependency.objects.filter(near))

    def walk(self, start: int, direction: str, max_depth: int | None = None) -> dict[int, int]:
        """Breadth-first distances from ``start``; the start itself is left out."""
        adjacency = self.down if direction == DOWN else self.up
        depth = {start: 0}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            if max_depth is not None and depth[node] >= max_depth:
                continue
            for neighbour in adjacency.get(node, ()):
                if neighbour not in depth:
                    depth[neighbour] = depth[node] + 1
                    queue.append(neighbour)
        del depth[start]
        return depth

    def strongly_connected(self) -> tuple[frozenset[int], ...]:
        """The groups of services that reach each other (cycles). Worked out once per graph:
        a graph is never changed after loading, and every service page asks."""
        if self._components is None:
            digraph = nx.DiGraph((s, t) for s, targets in self.down.items() for t in targets)
            self._components = tuple(
                frozenset(c) for c in nx.strongly_connected_components(digraph) if len(c) > 1
            )
        return self._components

    def loop_through(self, members: set[int]) -> list[int]:
        """One concrete cycle inside a strongly connected group, as a closed path of ids."""
        sub = nx.DiGraph((s, t) for s in members for t in self.down.get(s, ()) if t in members)
        edges = nx.find_cycle(sub, source=min(members))
        return [edges[0][0], *(target for _, target in edges)]


def _services(ids, queryset=None) -> dict[int, Service]:
    queryset = Service.objects.all() if queryset is None else queryset
    return queryset.order_by().select_related("owner_team").in_bulk(list(ids))


def reaches_from(
    starts,
    direction: str,
    *,
    max_depth: int | None = None,
    graph: DependencyGraph | None = None,
    queryset=None,
) -> dict[int, list[Reach]]:
    """For each start id, the services reached in ``direction``, nearest first.

    One query for the services of all starts together (a page of services costs the same as
    one); ``queryset`` narrows which services may be returned (see portal.permissions).
    """
    if graph is None:
        graph = (
            DependencyGraph.around(starts, direction)
            if max_depth == 1
            else DependencyGraph.current()
        )
    walks = {start: graph.walk(start, direction, max_depth) for start in starts}
    services = _services(set().union(*walks.values()), queryset)
    return {
        start: sorted(
            (Reach(services[i], depth) for i, depth in distances.items() if i in services),
            key=lambda reach: (reach.depth, reach.service.slug),
        )
        for start, distances in walks.items()
    }


def dependencies_of(
    service: Service,
    *,
    transitive: bool = True,
    max_depth: int | None = None,
    graph: DependencyGraph | None = None,
) -> list[Reach]:
    """What ``service`` needs to work, nearest first. Pass ``graph`` to reuse a loaded one
    (one per request) when asking about many services."""
    limit = max_depth if transitive else 1
    return reaches_from([service.pk], DOWN, max_depth=limit, graph=graph)[service.pk]


def dependents_of(
    service: Service,
    *,
    transitive: bool = True,
    max_depth: int | None = None,
    graph: DependencyGraph | None = None,
) -> list[Reach]:
    """What needs ``service`` to work, nearest first."""
    limit = max_depth if transitive else 1
    return reaches_from([service.pk], UP, max_depth=limit, graph=graph)[service.pk]


def blast_radius(service: Service, *, graph: DependencyGraph | None = None) -> BlastRadius:
    """Every service that fails with ``service``, grouped by the team that will be paged."""
    dependents = dependents_of(service, graph=graph)
    by_team: dict = defaultdict(list)
    for reach in dependents:
        by_team[reach.service.owner_team].append(reach)
    ordered = dict(sorted(by_team.items(), key=lambda item: item[0].slug))
    return BlastRadius(service=service, dependents=dependents, by_team=ordered)


def impact_by_team(service: Service, *, graph: DependencyGraph | None = None) -> list[TeamImpact]:
    """The blast radius summarised per owning team, most affected first.

    A core service can have thousands of dependents; this reads only their team and tier (one
    narrow query) and the teams involved (one more), instead of every service object.
    """
    distances = (graph or DependencyGraph.current()).walk(service.pk, UP)
    rows = Service.objects.order_by()
    if len(distances) <= _LARGEST_IN_LIST:
        rows = rows.filter(pk__in=list(distances))
    per_team: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, team_id, tier in rows.values_list("pk", "owner_team_id", "tier"):
        if pk in distances:
            per_team[team_id].append((distances[pk], tier))
    teams = Team.objects.only("slug", "name").in_bulk(list(per_team))
    impacts = [
        TeamImpact(
            team=teams[team_id],
            services=len(hits),
            direct=sum(1 for depth, _ in hits if depth == 1),
            nearest=min(depth for depth, _ in hits),
            most_critical_tier=min(tier for _, tier in hits),
        )
        for team_id, hits in per_team.items()
    ]
    return sorted(impacts, key=lambda i: (-i.services, i.nearest, i.team.slug))


def find_cycles(*, graph: DependencyGraph | None = None) -> list[Cycle]:
    """Every dependency cycle in the catalog: largest group first."""
    graph = graph or DependencyGraph.current()
    groups = graph.strongly_connected()
    loops = [graph.loop_through(group) for group in groups]
    services = _services(set().union(*groups)) if groups else {}
    cycles = [
        Cycle(
            services=sorted((services[i] for i in group), key=lambda s: s.slug),
            path=[services[i] for i in loop],
        )
        for group, loop in zip(groups, loops, strict=True)
    ]
    return sorted(cycles, key=lambda c: (-len(c.services), c.services[0].slug))
