"""The portal in a real browser: sign in, browse, filter, search, the graph, editing as an
owner, refusal for others, and injected scripts that never run."""

import re
import time

import pytest
from django.urls import reverse

from catalog.factories import (
    ApiConsumptionFactory,
    ApiFactory,
    ApiVersionFactory,
    DataDomainFactory,
    ServiceFactory,
)
from catalog.models import Dependency, Lifecycle, Service
from portal.factories import UserFactory
from teams.factories import TeamFactory
from teams.models import Team

from .conftest import OFF_THE_HEADER_ROW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalog(team, service, lead, member):
    web = TeamFactory(slug="web", name="Web")
    storefront = ServiceFactory(
        slug="storefront", name="Storefront", owner_team=web, lifecycle=Lifecycle.PRODUCTION, tier=1
    )
    ServiceFactory(slug="search-svc", name="Search", owner_team=web)
    domain = DataDomainFactory(slug="orders", name="Orders", owner_service=service)
    api = ApiFactory(
        slug="checkout-api", name="Checkout API", provider=service, description="Take **payments**."
    )
    ApiVersionFactory(api=api, version="1.0.0")
    ApiConsumptionFactory(consumer=storefront, api=api)
    return {"service": service, "storefront": storefront, "domain": domain, "api": api, "web": web}


def test_sign_in_and_browse_from_the_overview_to_a_service(page, catalog, member):
    member.set_password("s3cret-pass")
    member.save()
    page.goto("/")
    assert "/accounts/login/" in page.tab.url
    page.screenshot("login")
    page.tab.get_by_label("Username").fill(member.username)
    page.tab.get_by_label("Password").fill("s3cret-pass")
    page.tab.get_by_role("button", name="Sign in").click()
    page.tab.wait_for_url(re.compile(r"/$"))
    assert page.tab.get_by_role("heading", name="Your teams 1").is_visible()  # home
    page.screenshot("home")
    page.tab.get_by_role("navigation", name="Main").get_by_role("link", name="Overview").click()
    page.tab.wait_for_url(re.compile(r"/overview/$"))
    assert page.tab.get_by_role("heading", name="Overview").is_visible()
    page.screenshot("overview")

    page.tab.get_by_role("navigation", name="Main").get_by_role("link", name="Services").click()
    page.tab.wait_for_url(re.compile(r"/services/$"))
    page.screenshot("services")
    page.tab.get_by_role("link", name="Checkout", exact=True).click()
    page.tab.wait_for_url(re.compile(r"/services/checkout/$"))
    assert page.tab.get_by_role("heading", name="Blast radius").is_visible()
    page.tab.wait_for_selector("#service-graph[data-ready=true]")
    page.screenshot("service")
    assert page.errors == []


def test_filter_a_list_keeps_the_filter_in_the_url(page, catalog, member):
    page.sign_in_as(member)
    page.goto("/services/")
    page.tab.get_by_label("Lifecycle").select_option("production")
    page.tab.wait_for_url(re.compile(r"lifecycle=production"))
    rows = page.tab.locator("#results tbody tr")
    rows.first.wait_for()
    page.tab.wait_for_function("document.querySelectorAll('#results tbody tr').length === 1")
    assert "Storefront" in rows.first.inner_text()
    # the URL alone reproduces the view
    page.goto(page.tab.url.replace(page.base_url, ""))
    assert page.tab.locator("#results tbody tr").count() == 1
    page.screenshot("services-filtered")


def test_search_from_the_header(page, catalog, member):
    page.sign_in_as(member)
    page.goto("/teams/")
    page.screenshot("teams")
    box = page.tab.get_by_role(
        "searchbox", name="Search services, teams, people, APIs, systems and domains"
    )
    box.fill("checkout")
    box.press("Enter")
    page.tab.wait_for_url(re.compile(r"/search/\?q=checkout"))
    first = page.tab.locator("ol.results li").first
    assert "Checkout" in first.inner_text() and "Service" in first.inner_text()
    page.screenshot("search")


def test_graph_click_a_node_to_open_the_service(page, catalog, member):
    page.sign_in_as(member)
    page.goto("/graph/")
    page.tab.wait_for_selector("#graph[data-ready=true]")
    page.screenshot("graph")
    page.tab.wait_for_function(  # the page has refitted the picture after the screenshots
        "() => { const g = document.getElementById('graph');"
        " return Number(g.dataset.fittedWidth) === g.clientWidth; }"
    )
    node_id = f"s{catalog['storefront'].pk}"
    position = page.tab.evaluate(
        "id => { const cy = window.keelGraphs.graph; cy.resize(); cy.fit(); const p = cy.$id(id).renderedPosition(); return {x: p.x, y: p.y}; }",
        node_id,
    )
    box = page.tab.locator("#graph").bounding_box()
    page.tab.mouse.click(box["x"] + position["x"], box["y"] + position["y"])
    page.tab.wait_for_url(re.compile(r"/services/storefront/$"))


def test_graph_of_500_services_stays_usable(page, member):
    """Bulk-made rows (a picture, not behaviour, is under test here): 500 services in 10
    teams with about 750 dependencies and a few cycles."""
    teams = Team.objects.bulk_create(Team(slug=f"bulk-{i}", name=f"Bulk {i}") for i in range(10))
    services = Service.objects.bulk_create(
        Service(slug=f"bulk-svc-{i}", name=f"Bulk {i}", owner_team=teams[i % 10])
        for i in range(500)
    )
    edges = {(i, (i * 7 + 3) % 500) for i in range(500)} | {
        (i, (i + 1) % 500) for i in range(0, 500, 2)
    }
    Dependency.objects.bulk_create(
        Dependency(source=services[a], target_service=services[b]) for a, b in edges if a != b
    )
    page.sign_in_as(member)
    started = time.monotonic()
    page.goto("/graph/")
    page.tab.wait_for_selector("#graph[data-ready=true]", timeout=30_000)
    elapsed = time.monotonic() - started
    # drawn grouped by team (tests/browser/test_graph.py opens teams and ungroups)
    assert page.tab.evaluate("window.keelGraphs.graph.nodes('.team').length") == 10
    print(f"500-node graph drawn in {elapsed:.1f} s")
    # zoom and pan still respond
    zoom = page.tab.evaluate(
        "() => { const cy = window.keelGraphs.graph; cy.zoom(cy.zoom() * 2); return cy.zoom(); }"
    )
    assert zoom > 0
    page.screenshot("graph-500")
    assert page.errors == []


def test_edit_a_service_as_its_owner(page, catalog, member):
    page.sign_in_as(member)
    page.goto("/services/checkout/")
    page.tab.get_by_role("link", name="Edit service").click()
    page.tab.wait_for_url(re.compile(r"/services/checkout/edit/$"))
    page.screenshot("service-edit")
    page.tab.get_by_label("Tier").select_option("1")
    page.tab.get_by_label("Scaling factor").fill("orders per second")
    page.tab.get_by_label("Pipeline url").fill("not a url")
    page.tab.get_by_role("button", name="Save").click()
    assert page.tab.locator("#id_pipeline_url_error").is_visible()  # next to the field
    assert Service.objects.get(slug="checkout").tier == 3
    page.tab.get_by_label("Pipeline url").fill("https://ci.example.com/checkout")
    page.tab.get_by_role("button", name="Save").click()
    page.tab.wait_for_url(re.compile(r"/services/checkout/$"))
    assert page.tab.get_by_text("Saved Checkout.").is_visible()
    saved = Service.objects.get(slug="checkout")
    assert (saved.tier, saved.scaling_factor) == (1, "orders per second")


def test_a_non_member_sees_no_controls_and_is_refused(page, catalog, outsider):
    page.sign_in_as(outsider)
    page.goto("/services/checkout/")
    assert page.tab.get_by_role("link", name="Edit service").count() == 0
    response = page.goto("/services/checkout/edit/")
    assert response.status == 403
    assert page.tab.get_by_role("heading", name="You may not do this").is_visible()
    page.screenshot("forbidden")


def test_api_team_and_domain_pages(page, catalog, member):
    page.sign_in_as(member)
    page.goto("/apis/checkout-api/")
    page.tab.wait_for_selector("#swagger-ui .opblock", timeout=15_000)
    page.screenshot("api")
    page.goto("/teams/payments/")
    page.tab.wait_for_selector("#team-graph[data-ready=true]")
    page.screenshot("team")
    page.goto("/domains/orders/")
    page.screenshot("domain")
    page.goto("/apis/")
    page.screenshot("apis")
    assert page.errors == []


XSS = [
    "<script>alert('name')</script>",
    "<img src=x onerror=\"alert('img')\">",
    "[click me](javascript:alert('link'))",
    "<svg onload=\"alert('svg')\"></svg>",
]


def test_no_script_from_a_description_ever_runs(page, team, member):
    evil = ServiceFactory(
        slug="evil", name=XSS[0] + XSS[1], description="\n\n".join(XSS), owner_team=team
    )
    api = ApiFactory(slug="evil-api", name=XSS[1], description="\n\n".join(XSS), provider=evil)
    ApiVersionFactory(api=api, version="1.0.0")
    UserFactory(username="bystander")
    page.sign_in_as(member)
    for path in [
        "/",
        "/services/",
        "/services/evil/",
        "/apis/evil-api/",
        "/search/?q=evil",
        "/graph/",
        reverse("catalog:service-edit", args=["evil"]),
    ]:
        page.goto(path)
        page.tab.wait_for_load_state("load")
    page.goto("/services/evil/")
    link = page.tab.get_by_role("link", name="click me")
    if link.count():
        link.first.click()
    page.tab.wait_for_timeout(300)
    assert page.dialogs == []
    assert page.errors == []


def test_the_header_is_one_row_at_1440px_and_the_account_menu_opens(page, catalog, member):
    page.sign_in_as(member)
    page.tab.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/services/")
    assert page.tab.evaluate(OFF_THE_HEADER_ROW) == []
    # The low-traffic links wait behind the user name, at 1440 and at 375 pixels
    for width in (1440, 375):
        page.tab.set_viewport_size({"width": width, "height": 800})
        tokens = page.tab.get_by_role("link", name="API tokens")
        assert not tokens.is_visible()
        page.tab.locator(".account-menu summary").click()
        box = tokens.bounding_box()
        assert tokens.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= width
        page.tab.locator(".account-menu summary").click()
    page.tab.locator(".account-menu summary").click()
    page.tab.get_by_role("link", name="Saved views").click()
    page.tab.wait_for_url("**/accounts/saved-views/")
    assert page.errors == []
