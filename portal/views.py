"""Portal-wide pages: sign-in, the overview, search and the dependency graph."""

from django.conf import settings
from django.db.models import Count
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.module_loading import import_string

from catalog.coupling import team_coupling
from catalog.graph import DependencyGraph
from catalog.models import Api, DataDomain, Lifecycle, Service
from teams.models import Team

from . import graphdata
from .home import home as build_home
from .lookups import with_slug
from .pages import recent_changes
from .search import search as run_search
from .search import suggestions

OVERVIEW_LIST_LENGTH = 10


def login(request, *args, **kwargs):
    """The sign-in page: whichever view ``KEEL_LOGIN_VIEW`` names (Django's by default), so
    that single sign-on can replace it in settings without touching URLs or templates."""
    view = import_string(settings.KEEL_LOGIN_VIEW)
    if hasattr(view, "as_view"):
        view = view.as_view(redirect_authenticated_user=True)
    return view(request, *args, **kwargs)


def home(request):
    """Signed in, a page of one's own (``portal.home``); the organisation is one click away."""
    return render(request, "portal/home.html", build_home(request.user))


def overview(request):
    counts = {
        "services": Service.objects.count(),
        "teams": Team.objects.count(),
        "apis": Api.objects.count(),
        "domains": DataDomain.objects.count(),
        "dependencies": DependencyGraph.current().dependency_count,
    }
    matrix = {
        (row["lifecycle"], row["tier"]): row["n"]
        for row in Service.objects.order_by().values("lifecycle", "tier").annotate(n=Count("pk"))
    }
    tiers = [1, 2, 3, 4]
    by_lifecycle = [
        {
            "value": value,
            "label": label,
            "cells": [(tier, matrix.get((value, tier), 0)) for tier in tiers],
            "total": sum(matrix.get((value, tier), 0) for tier in tiers),
        }
        for value, label in Lifecycle.choices
    ]
    tier_totals = [
        (tier, sum(matrix.get((lc, tier), 0) for lc, _ in Lifecycle.choices)) for tier in tiers
    ]
    limit = Team.size_limit()
    oversized = list(
        Team.objects.annotate(size=Count("memberships"))
        .filter(size__gt=limit)
        .order_by("-size", "slug")
    )
    no_pipeline = Service.objects.filter(pipeline_url="").select_related("owner_team")
    no_contract = (
        Service.objects.annotate(api_count=Count("provided_apis"))
        .filter(api_count=0)
        .exclude(kind=Service.Kind.LIBRARY)
        .select_related("owner_team")
    )
    context = {
        "counts": counts,
        "by_lifecycle": by_lifecycle,
        "tiers": tiers,
        "tier_totals": tier_totals,
        "size_limit": limit,
        "oversized": oversized,
        "no_pipeline": list(no_pipeline.order_by("tier", "slug")[:OVERVIEW_LIST_LENGTH]),
        "no_pipeline_count": no_pipeline.count(),
        "no_contract": list(no_contract.order_by("tier", "slug")[:OVERVIEW_LIST_LENGTH]),
        "no_contract_count": no_contract.count(),
        "recent": recent_changes(),
    }
    return render(request, "portal/overview.html", context)


def search(request):
    """The search page; typed into the navigation bar's box (htmx), the best few hits only."""
    query = request.GET.get("q", "").strip()
    if request.headers.get("HX-Request"):
        hits = suggestions(query, request.user) if query else []
        response = render(
            request, "portal/_search_suggestions.html", {"query": query, "hits": hits}
        )
    else:
        hits = run_search(query, request.user) if query else []
        response = render(request, "portal/search.html", {"query": query, "hits": hits})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _depth(value, default):
    if value in ("all", "0"):
        return None
    try:
        return max(1, min(int(value), 10))
    except (TypeError, ValueError):
        return default


def graph(request):
    """The whole dependency graph, or the neighbourhood of one team or service."""
    team = service = None
    team_slug = request.GET.get("team", "").strip()
    service_slug = request.GET.get("service", "").strip()
    error = ""
    if service_slug:
        service = with_slug(Service.objects.select_related("owner_team"), service_slug).first()
        error = "" if service else f"No service {service_slug!r}."
    elif team_slug:
        team = with_slug(Team.objects.all(), team_slug).first()
        error = "" if team else f"No team {team_slug!r}."
    depth = _depth(request.GET.get("depth"), default=2 if (team or service) else None)
    elements = graphdata.graph_elements(
        team=team, service=service, depth=depth, graph=DependencyGraph.current()
    )
    teams = Team.objects.order_by("name").values("slug", "name")
    context = {
        "elements": elements,
        "team": team,
        "service": service,
        "team_slug": team_slug,
        "service_slug": service_slug,
        "depth": depth,
        "depth_choices": graphdata.DEPTH_CHOICES,
        "teams": teams,
        "error": error,
        "filtered": bool(team or service),
    }
    return render(request, "portal/graph.html", context, status=404 if error else 200)


def team_graph(request):
    """Conway's law, visible: the teams, coupled by their services' dependencies and API
    consumptions. The page lists the teams most coupled first; its script draws the same
    document from ``/api/v1/graph/teams/``."""
    coupling = team_coupling(request.user)
    teams = sorted(coupling["teams"], key=lambda t: (-t["partners"], -t["weight"], t["slug"]))
    return render(
        request, "portal/team_graph.html", {"teams": teams, "links": len(coupling["links"])}
    )
