"""The overview, search (PostgreSQL full text or the SQLite fallback) and the graph page."""

import json

import pytest
from django.db import connection
from django.urls import reverse

from catalog.factories import DependencyFactory, ServiceFactory
from catalog.models import Lifecycle
from portal.search import search
from scaffolding.actions import request_scaffold
from scaffolding.models import ScaffoldRun
from teams.factories import MembershipFactory, TeamFactory


@pytest.mark.django_db
def test_overview_counts_matrix_gaps_and_recent_changes(catalog, lead, member_page, settings):
    settings.KEEL_TEAM_SIZE_LIMIT = 1  # payments has a lead and a member: over the limit now
    response = member_page.get(reverse("overview"))
    context, html = response.context, response.content.decode()
    assert context["counts"] == {
        "services": 2, "teams": 2, "apis": 1, "domains": 1, "dependencies": 1
    }  # fmt: skip
    production = next(
        row for row in context["by_lifecycle"] if row["value"] == Lifecycle.PRODUCTION
    )
    assert production["cells"][0] == (1, 1) and production["total"] == 1
    assert [t.slug for t in context["oversized"]] == ["payments"]
    assert context["no_pipeline_count"] == 2
    assert [s.slug for s in context["no_contract"]] == ["storefront"]
    recent = context["recent"]
    assert recent and all(obj is not None for _, obj in recent)
    assert "storefront consumes checkout-api" in html
    assert "?lifecycle=production&amp;tier=1" in html


@pytest.mark.django_db
def test_overview_queries_do_not_grow_with_history(
    catalog, member_page, django_assert_max_num_queries
):
    with django_assert_max_num_queries(40) as few:
        member_page.get(reverse("overview"))
    for i in range(10):
        DependencyFactory(
            source=ServiceFactory(slug=f"extra-{i}"), target_service=catalog["service"]
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        member_page.get(reverse("overview"))


@pytest.mark.django_db
def test_search_ranks_name_matches_first_across_kinds(catalog, member, member_page):
    ServiceFactory(slug="cart", name="Cart", description="Holds the basket until checkout.")
    hits = search("checkout", member)
    assert hits[0].obj.slug == "checkout" and hits[0].kind == "service"
    kinds = {(h.kind, h.obj.slug) for h in hits}
    assert ("api", "checkout-api") in kinds and ("service", "cart") in kinds
    cart = next(h for h in hits if h.obj.slug == "cart")
    assert cart.rank < hits[0].rank  # a description match ranks below a name match

    response = member_page.get(reverse("search"), {"q": "checkout"})
    html = response.content.decode()
    assert html.index("/services/checkout/") < html.index("/services/cart/")
    assert f"{len(hits)} results" in html


@pytest.mark.django_db
def test_search_finds_teams_domains_and_words_in_any_order(catalog, member):
    TeamFactory(slug="identity", name="Identity", description="Sign-in, sessions and tokens.")
    assert [h.obj.slug for h in search("payments", member) if h.kind == "team"] == ["payments"]
    assert [h.obj.slug for h in search("orders", member) if h.kind == "domain"] == ["orders"]
    assert [h.obj.slug for h in search("tokens sessions", member)] == ["identity"]


@pytest.mark.django_db
def test_search_with_nothing_to_find(member, member_page):
    assert search("   ", member) == []
    response = member_page.get(reverse("search"), {"q": "zzz-nothing"})
    assert b"Nothing matches" in response.content
    assert member_page.get(reverse("search")).status_code == 200


@pytest.mark.django_db
def test_search_backend_matches_the_database(catalog, member):
    """The same tests run on SQLite (default tier) and PostgreSQL (service tier)."""
    hits = search("checkout", member)
    if connection.vendor == "postgresql":
        assert hits[0].rank > 8  # name boost plus full-text rank
    else:
        assert hits[0].rank == 9.0


def graph_data(response):
    return response.context["elements"]


@pytest.mark.django_db
def test_graph_page_shows_everything_and_highlights_cycles(catalog, member_page):
    a, b = ServiceFactory(slug="aa"), ServiceFactory(slug="bb")
    DependencyFactory(source=a, target_service=b)
    DependencyFactory(source=b, target_service=a)
    response = member_page.get(reverse("graph"))
    data = graph_data(response)
    labels = {n["data"]["label"]: n["data"] for n in data["nodes"]}
    assert set(labels) == {"aa", "bb", "checkout", "storefront"}
    assert labels["aa"]["cycle"] and not labels["checkout"]["cycle"]
    assert labels["checkout"]["url"] == "/services/checkout/"
    cycle_edges = [e["data"] for e in data["edges"] if e["data"]["cycle"]]
    assert len(cycle_edges) == 2
    # the cycle is listed by name, with its loop, and the page says it
    [cycle] = data["cycles"]
    assert cycle["services"] == ["aa", "bb"] and cycle["path"] == ["aa", "bb", "aa"]
    assert cycle["nodes"] == [f"s{a.pk}", f"s{b.pk}"]
    assert "aa → bb → aa" in response.content.decode()
    embedded = response.content.decode().split('id="graph-data" type="application/json">')[1]
    assert json.loads(embedded.split("</script>")[0])["nodes"]


@pytest.mark.django_db
def test_graph_filters_by_team_service_and_depth(catalog, member_page):
    far = ServiceFactory(slug="far")
    DependencyFactory(
        source=far, target_service=catalog["storefront"]
    )  # far → storefront → checkout
    url = reverse("graph")

    def labels(params):
        return {n["data"]["label"] for n in graph_data(member_page.get(url, params))["nodes"]}

    assert labels({"service": "checkout", "depth": "1"}) == {"checkout", "storefront"}
    assert labels({"service": "checkout", "depth": "2"}) == {"checkout", "storefront", "far"}
    assert labels({"team": "payments", "depth": "1"}) == {"checkout", "storefront"}
    assert labels({"team": "payments", "depth": "all"}) == {"checkout", "storefront", "far"}
    assert member_page.get(url, {"service": "nope"}).status_code == 404


@pytest.mark.django_db
def test_graph_queries_do_not_grow_with_the_catalog(member_page, django_assert_max_num_queries):
    team = TeamFactory(slug="core")
    MembershipFactory(team=team)
    previous = ServiceFactory(slug="s0", owner_team=team)
    with django_assert_max_num_queries(12) as few:
        member_page.get(reverse("graph"))
    for i in range(1, 15):
        current = ServiceFactory(slug=f"s{i}", owner_team=team)
        DependencyFactory(source=current, target_service=previous)
        previous = current
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = member_page.get(reverse("graph"))
    assert len(graph_data(response)["nodes"]) == 15


@pytest.mark.django_db
def test_recent_changes_do_not_keep_a_finished_runs_old_status(member, member_page):
    # Given a scaffold run that was requested (recorded while pending) and has since finished
    run = request_scaffold(
        actor=member,
        via="ui",
        template="python-http-service",
        parameters={"slug": "orders", "name": "Orders", "owner_team": "payments"},
    )
    ScaffoldRun.objects.filter(pk=run.pk).update(status=ScaffoldRun.Status.SUCCEEDED)
    # When someone opens the overview
    html = member_page.get(reverse("overview")).content.decode()
    # Then the entry names the run without a status that is no longer true
    assert "orders from python-http-service" in html
    assert "(pending)" not in html


@pytest.mark.django_db
def test_search_finds_services_by_tag_language_and_framework(catalog, member):
    ServiceFactory(slug="ledger", language="rust", framework="axum", tags=["pci", "money"])

    assert slugs(search("pci", member), "service") == ["ledger"]
    assert slugs(search("Rust", member), "service") == ["ledger"]
    assert slugs(search("axum money", member), "service") == ["ledger"]
    assert slugs(search("rust nonsense", member), "service") == []  # every word must match


@pytest.mark.django_db
def test_search_finds_resources_and_the_teams_of_a_person(catalog, member):
    member.first_name, member.last_name = "Grace", "Hopper"
    member.save()

    assert slugs(search("orders-db", member), "resource") == ["orders-db"]
    assert slugs(search("hopper", member), "team") == ["payments"]
    assert slugs(search(member.username, member), "team") == ["payments"]


@pytest.mark.django_db
def test_search_results_page_shows_a_resource_and_its_service(catalog, member_page):
    html = member_page.get(reverse("search"), {"q": "orders-db"}).content.decode()
    assert "Resource" in html and "of checkout" in html


@pytest.mark.django_db
def test_search_queries_stay_flat_whatever_matches(catalog, member, django_assert_num_queries):
    with django_assert_num_queries(9):  # one per kind
        search("checkout", member)
    for n in range(5):
        team = TeamFactory(slug=f"more-{n}")
        MembershipFactory(team=team, user__first_name="Checkout")
        ServiceFactory(slug=f"svc-{n}", owner_team=team, tags=["checkout"], language="checkout")
    with django_assert_num_queries(9):
        hits = search("checkout " * 50, member)  # long queries are cut to MAX_WORDS words
    assert len(slugs(hits, "team")) == 5


def slugs(hits, kind):
    return [h.obj.slug for h in hits if h.kind == kind]
