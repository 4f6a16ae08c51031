"""The dependency graph between services: what a service needs, what breaks when it fails,
and where the catalog has cycles.

The edges are loaded in one query and walked in memory: at 50,000 edges that is a few tens of
milliseconds, works the same on SQLite and PostgreSQL, and is exact on graphs with cycles
(a recursive CTE that tracks depth multiplies rows on diamonds and cycles). A dependency on a
resource counts as a dependency on the service that owns the resource: if that service goes
down, so does its database from its dependents' point of view.

The graph also holds each service's slug, owning team and tier (one more narrow query), so
answers are ordered, counted and summarised in memory: a core service's 10,000 dependents are
never loaded to show the first page of them or to count them by team.

Every function costs at most four queries, however large the answer: the catalog generation,
the edges and services of the graph (unless this process already holds the graph of that
generation, see ``DependencyGraph.current``) and the services or teams it returns.
"""

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

import networkx as nx
from django.db.models import F, Q
from django.db.models.functions import Coalesce

from portal.audit import generation
from teams.models import Team

from . import documents
from .models import Dependency, Service, ServiceDocument

DOWN, UP = "down", "up"  # down: what a service depends on; up: what depends on it

_loaded: dict = {}  # "graph" -> (generation, DependencyGraph); see current()

_NODE_FIELDS = ("id", "slug", "owner_team_id", "tier")
_syncing = threading.Lock()  # one thread brings the process's graph up to date at a time


class Node(NamedTuple):
    """What the graph knows of a service besides its edges: enough to order and summarise."""

    slug: str
    owner_team_id: int
    tier: int


class Reach(NamedTuple):
    """A service reached from the start, ``depth`` edges away (1 = direct). A tuple: a
    GraphQL page makes thousands, and a frozen dataclass costs several times more to make."""

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
    """Adjacency in both directions between service ids, and each service's ``Node``.

    Readers skip an id without a node: the edges of a service created between the two
    queries of ``load`` may be read without it (and ``around`` knows only the far ends).
    """

    def __init__(self, nodes, edges):
        self.nodes: dict[int, Node] = {pk: Node(*attributes) for pk, *attributes in nodes}
        self._components: tuple | None = None  # (the ``down`` it was worked out from, groups)
        down, up = defaultdict(set), defaultdict(set)
        for source, target in edges:
            if source != target:  # a service using its own resource is not a dependency
                down[source].add(target)
                up[target].add(source)
        # Plain dicts: a lookup of a service without edges must not add an empty set.
        self.down: dict[int, set[int]] = dict(down)
        self.up: dict[int, set[int]] = dict(up)

    @property
    def dependency_count(self) -> int:
        """The catalog's one "dependency count", shown by the overview, the graph page and
        ``seed_demo``: pairs of services where one needs the other. A dependency on a resource
        counts as one on the resource's service, a pair counts once however many edges join
        it, and a service's use of its own resources does not count."""
        return sum(len(targets) for targets in self.down.values())

    @classmethod
    def load(cls) -> "DependencyGraph":
        """The whole graph: every service's node, then every edge (two narrow queries)."""
        nodes = Service.objects.order_by().values_list(*_NODE_FIELDS)
        rows = Dependency.objects.order_by().values_list(
            "source_id", "target_service_id", "target_resource__service_id"
        )
        # a resource no service holds is nobody's service: not an edge between services
        return cls(
            nodes, ((source, target or via) for source, target, via in rows if target or via)
        )

    @classmethod
    def current(cls) -> "DependencyGraph":
        """The whole graph as committed, kept in this process and brought up to date from
        the services' documents changed since the generation it was read at
        (``catalog.documents`` stamps each with its write's generation, in commit order):
        a read after a write costs the rows that write changed, not 50,000 edges. A process
        too far behind (old tombstones are gone) reads the whole graph again."""
        now = generation()
        held = _loaded.get("graph")
        if held and held[0] == now:
            return held[1]
        with _syncing:
            held = _loaded.get("graph")
            if held and held[0] == now:
                return held[1]
            if held and 0 < now - held[0] <= documents.TOMBSTONE_GENERATIONS:
                graph = held[1]
                graph.apply(_changed_since(held[0]))
            else:
                graph = cls.load()
            _loaded["graph"] = (now, graph)
        return graph

    @classmethod
    def forget(cls) -> None:
        """Drop the process's copy (tests roll back writes, and with them generations)."""
        _loaded.clear()

    @classmethod
    def around(cls, ids, direction: str) -> "DependencyGraph":
        """Only the edges leaving (down) or reaching (up) ``ids``, with the nodes of the
        services at their far ends: direct neighbours in one query, without reading the
        whole graph."""
        ids = list(ids)
        if direction == DOWN:
            edges = Dependency.objects.filter(source_id__in=ids)
            far = [
                Coalesce(f"target_service__{f}", f"target_resource__service__{f}")
                for f in _NODE_FIELDS
            ]
        else:
            edges = Dependency.objects.filter(
                Q(target_service_id__in=ids) | Q(target_resource__service_id__in=ids)
            )
            far = [F(f"source__{f}") for f in _NODE_FIELDS]
        target = Coalesce("target_service_id", "target_resource__service_id")
        edges = edges.exclude(target_service__isnull=True, target_resource__service__isnull=True)
        rows = list(edges.order_by().values_list("source_id", target, *far))
        return cls((row[2:] for row in rows), (row[:2] for row in rows))

    def apply(self, nodes) -> None:
        """Bring services up to date in place: each of ``nodes`` is ``(service id, slug,
        owner team id, tier, targets)``, ``targets`` the ids of every service it depends on
        (a resource counting as its service) or None for a service that is gone. A gone
        service has no dependents (deleting one is protected), so only its own edges go.

        Readers may walk the graph while this runs (threaded workers share it): the new
        state is built beside the old, no set a reader may hold is changed, and it replaces
        the old in three assignments. One writer at a time.
        """
        known, down, up = dict(self.nodes), dict(self.down), dict(self.up)
        for pk, slug, owner_team_id, tier, targets in nodes:
            if targets is None:
                known.pop(pk, None)
            else:
                known[pk] = Node(slug, owner_team_id, tier)
            old = down.pop(pk, set())
            new = {target for target in targets or () if target != pk}
            for target in old - new:
                if rest := up[target] - {pk}:
                    up[target] = rest
                else:
                    del up[target]
            for target in new - old:
                up[target] = up.get(target, set()) | {pk}
            if new:
                down[pk] = new
        self.nodes, self.down, self.up = known, down, up

    def levels(self, start: int, direction: str, max_depth: int | None = None) -> list[set]:
        """The services 1, 2, ... edges away from ``start`` (never the start itself), found
        breadth first a whole depth at a time: set unions in C, not a Python step per edge."""
        adjacency = self.down if direction == DOWN else self.up
        seen, frontier, found = {start}, {start}, []
        while frontier and (max_depth is None or len(found) < max_depth):
            frontier = set().union(*(adjacency.get(node, ()) for node in frontier)) - seen
            seen |= frontier
            if frontier:
                found.append(frontier)
        return found

    def walk(self, start: int, direction: str, max_depth: int | None = None) -> dict[int, int]:
        """Breadth-first distances from ``start``, nearest first; the start is left out."""
        distances: dict[int, int] = {}
        for depth, level in enumerate(self.levels(start, direction, max_depth), 1):
            distances.update(dict.fromkeys(level, depth))
        return distances

    def nearest_first(self, levels: list[set]) -> list[tuple[int, int]]:
        """``(id, depth)`` of the services of ``levels``, by depth then slug."""
        nodes = self.nodes
        return [
            (pk, depth)
            for depth, level in enumerate(levels, 1)
            for pk in sorted(level & nodes.keys(), key=lambda i: nodes[i].slug)
        ]

    def strongly_connected(self) -> tuple[frozenset[int], ...]:
        """The groups of services that reach each other (cycles). Worked out once per state
        of the graph (every service page asks), again after ``apply`` changed it."""
        down = self.down
        if self._components is None or self._components[0] is not down:
            digraph = nx.DiGraph((s, t) for s, targets in down.items() for t in targets)
            groups = tuple(
                frozenset(c) for c in nx.strongly_connected_components(digraph) if len(c) > 1
            )
            self._components = (down, groups)
        return self._components[1]

    def loop_through(self, members: set[int]) -> list[int]:
        """One concrete cycle inside a strongly connected group, as a closed path of ids."""
        sub = nx.DiGraph((s, t) for s in members for t in self.down.get(s, ()) if t in members)
        edges = nx.find_cycle(sub, source=min(members))
        return [edges[0][0], *(target for _, target in edges)]


def _changed_since(held: int) -> list[tuple]:
    """``apply``'s items for every service whose document changed after generation ``held``
    (rows stamped later than the generation just read only bring the graph further ahead)."""
    changed = ServiceDocument.objects.filter(generation__gt=held)
    gone = changed.filter(detail__isnull=True).values_list("pk", flat=True)
    live = changed.filter(detail__isnull=False).values_list(
        "pk", "service__slug", "service__owner_team_id", "service__tier", "targets"
    )
    return [*live, *((pk, None, None, None, None) for pk in gone)]


def _services(ids, queryset=None) -> dict[int, Service]:
    queryset = Service.objects.all() if queryset is None else queryset
    return queryset.order_by().select_related("owner_team").in_bulk(list(ids))


def _graph_for(starts, direction: str, max_depth: int | None) -> DependencyGraph:
    """Anything past direct neighbours needs the whole graph. Direct neighbours need only
    the edges around ``starts``, unless this process holds the graph already: bringing it up
    to date costs less than reading them."""
    if max_depth == 1 and "graph" not in _loaded:
        return DependencyGraph.around(starts, direction)
    return DependencyGraph.current()


class Reached:
    """The services reached from one start, nearest first, as a sequence whose slices fetch
    only their own services (one query): a paginator counts it and reads one page, however
    many thousands were reached."""

    def __init__(self, pairs: list[tuple[int, int]]):
        self._pairs = pairs

    def __len__(self) -> int:
        return len(self._pairs)

    def __getitem__(self, index: slice) -> list[Reach]:
        pairs = self._pairs[index]
        services = _services(pk for pk, _ in pairs)
        return [Reach(services[pk], depth) for pk, depth in pairs if pk in services]

    def __iter__(self):
        return iter(self[:])


def reached(
    service: Service,
    direction: str,
    *,
    transitive: bool = True,
    max_depth: int | None = None,
    graph: DependencyGraph | None = None,
) -> Reached:
    """What ``service`` needs (down) or what needs it (up), nearest first, fetched as sliced."""
    limit = max_depth if transitive else 1
    graph = graph or _graph_for([service.pk], direction, limit)
    return Reached(graph.nearest_first(graph.levels(service.pk, direction, limit)))


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
    graph = graph or _graph_for(starts, direction, max_depth)
    walks = {
        start: graph.nearest_first(graph.levels(start, direction, max_depth)) for start in starts
    }
    services = _services({pk for pairs in walks.values() for pk, _ in pairs}, queryset)
    return {
        start: [Reach(services[pk], depth) for pk, depth in pairs if pk in services]
        for start, pairs in walks.items()
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
    return list(reached(service, DOWN, transitive=transitive, max_depth=max_depth, graph=graph))


def dependents_of(
    service: Service,
    *,
    transitive: bool = True,
    max_depth: int | None = None,
    graph: DependencyGraph | None = None,
) -> list[Reach]:
    """What needs ``service`` to work, nearest first."""
    return list(reached(service, UP, transitive=transitive, max_depth=max_depth, graph=graph))


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

    A core service can have thousands of dependents: their teams and tiers come from the
    graph, and only the teams involved are read (one query), never the services.
    """
    graph = graph or DependencyGraph.current()
    nodes = graph.nodes
    per_team: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, depth in graph.walk(service.pk, UP).items():
        if node := nodes.get(pk):
            per_team[node.owner_team_id].append((depth, node.tier))
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
