"""Conway's law, visible: how the teams are coupled through the services they own.

Two teams are coupled when a service of one depends on a service (or a resource) of the other,
or consumes one of its APIs. A link's weight counts both: consuming an API implies a
dependency on its provider (``catalog.actions.add_consumption``), so a contract between two
teams weighs more than a call alone. ``team_coupling`` counts those links between every pair of teams
in three aggregate queries (teams, dependencies, consumptions), however large the catalog, so
a team that everyone depends on, or that depends on everyone, stands out by its number of
partners. ``links_between`` lists the services behind one pair (two queries).

Both read through ``portal.permissions.restrict``, like every other read of the catalog; the
direction is the graph's: from the team whose services call to the team whose services are
called (a consumer to the API's provider).
"""

from collections import defaultdict

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce

from portal.permissions import restrict
from teams.models import Team

from .models import ApiConsumption, Dependency

KINDS = [kind.value for kind in Dependency.Kind]  # sync, async, data


def _cross_team_dependencies(user):
    """Dependencies whose two ends belong to different teams, annotated with both teams."""
    target_team = Coalesce("target_service__owner_team_id", "target_resource__owner_team_id")
    return (
        restrict(Dependency.objects.all(), user)
        .order_by()
        .annotate(source_team=F("source__owner_team_id"), target_team=target_team)
        .filter(~Q(source_team=F("target_team")))
    )


def _cross_team_consumptions(user):
    return (
        restrict(ApiConsumption.objects.all(), user)
        .order_by()
        .annotate(
            source_team=F("consumer__owner_team_id"), target_team=F("api__provider__owner_team_id")
        )
        .filter(~Q(source_team=F("target_team")))
    )


def team_coupling(user) -> dict:
    """Every team the user may see, with its number of services and of partner teams, and the
    weighted links between teams: dependencies by kind plus API consumptions. Teams are
    ordered by slug, links by (source, target)."""
    teams = {
        row["pk"]: row
        for row in restrict(Team.objects.all(), user)
        .order_by("slug")
        .annotate(service_count=Count("services"))
        .values("pk", "slug", "name", "service_count")
    }
    links: dict[tuple[int, int], dict] = defaultdict(
        lambda: {"dependencies": dict.fromkeys(KINDS, 0), "consumptions": 0}
    )
    dependencies = (
        _cross_team_dependencies(user)
        .values("source_team", "target_team", "kind")
        .annotate(count=Count("pk"))
    )
    for row in dependencies:
        links[row["source_team"], row["target_team"]]["dependencies"][row["kind"]] += row["count"]
    consumptions = (
        _cross_team_consumptions(user)
        .values("source_team", "target_team")
        .annotate(count=Count("pk"))
    )
    for row in consumptions:
        links[row["source_team"], row["target_team"]]["consumptions"] += row["count"]
    partners: dict[int, set[int]] = defaultdict(set)
    weights: dict[int, int] = defaultdict(int)
    shown = []
    for (source, target), counts in links.items():
        if source not in teams or target not in teams:  # a team the user may not see
            continue
        partners[source].add(target)
        partners[target].add(source)
        weight = sum(counts["dependencies"].values()) + counts["consumptions"]
        weights[source] += weight
        weights[target] += weight
        shown.append(
            {"source": teams[source]["slug"], "target": teams[target]["slug"], "weight": weight}
            | counts
        )
    return {
        "teams": [
            {
                "slug": row["slug"],
                "name": row["name"],
                "services": row["service_count"],
                "partners": len(partners[pk]),
                "weight": weights[pk],
            }
            for pk, row in teams.items()
        ],
        "links": sorted(shown, key=lambda link: (link["source"], link["target"])),
    }


def links_between(source: Team, target: Team, user) -> list[dict]:
    """The services behind the link from ``source`` to ``target``: each cross-team dependency
    (with its kind, and the resource when it points at one) and each API consumption, ordered
    by the calling service, then the called one."""
    dependencies = (
        _cross_team_dependencies(user)
        .filter(source_team=source.pk, target_team=target.pk)
        .values_list(
            "source__slug",
            # a resource no service holds is named by itself
            Coalesce(
                "target_service__slug", "target_resource__service__slug", "target_resource__slug"
            ),
            "kind",
            "target_resource__slug",
        )
    )
    consumptions = (
        _cross_team_consumptions(user)
        .filter(source_team=source.pk, target_team=target.pk)
        .values_list("consumer__slug", "api__provider__slug", "api__slug")
    )
    rows = [
        {"source": s, "target": t, "kind": kind, "resource": resource or None, "api": None}
        for s, t, kind, resource in dependencies
    ] + [
        {"source": s, "target": t, "kind": "api", "resource": None, "api": api}
        for s, t, api in consumptions
    ]
    return sorted(rows, key=lambda r: (r["source"], r["target"], r["kind"], r["api"] or ""))
