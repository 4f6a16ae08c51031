"""The team view in Chromium: teams as nodes, weighted links between them, the most coupled
team largest, and the services behind a link one click away."""

import pytest

from catalog.factories import ApiConsumptionFactory, ApiFactory, DependencyFactory, ServiceFactory
from teams.factories import TeamFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def org(team, service):
    """identity is called by every team; web calls payments three times."""
    web, search, identity = (
        TeamFactory(slug=s, name=s.title()) for s in ("web", "search", "identity")
    )
    auth = ServiceFactory(slug="auth", owner_team=identity)
    storefront = ServiceFactory(slug="storefront", owner_team=web)
    cart = ServiceFactory(slug="cart", owner_team=web)
    finder = ServiceFactory(slug="finder", owner_team=search)
    DependencyFactory(source=storefront, target_service=service)
    DependencyFactory(source=cart, target_service=service, kind="async")
    ApiConsumptionFactory(consumer=cart, api=ApiFactory(slug="checkout-api", provider=service))
    for source in (storefront, finder, service):
        DependencyFactory(source=source, target_service=auth)
    return {"web": web, "identity": identity}


def test_the_team_view_shows_weighted_links_and_the_services_behind_one(page, org, member):
    page.sign_in_as(member)
    page.goto("/graph/")
    page.tab.get_by_role("link", name="Teams and their coupling").click()
    page.tab.wait_for_selector("#team-graph[data-ready=true]")
    cy = "window.keelGraphs['team-graph']"
    nodes = page.tab.evaluate(f"{cy}.nodes().map(n => n.data('slug')).sort()")
    assert nodes == ["identity", "payments", "search", "web"]
    weights = page.tab.evaluate(
        f"() => Object.fromEntries({cy}.edges().map(e => [e.id(), [e.data('weight'), e.style('width')]]))"
    )
    # storefront -> checkout, cart -> checkout (async), cart -> checkout (its API's implied
    # dependency is the async one already there) and the consumption itself
    assert weights["l:web>payments"][0] == 3 and weights["l:search>identity"][0] == 1
    assert float(weights["l:web>payments"][1][:-2]) > float(weights["l:search>identity"][1][:-2])
    # the team coupled to everyone is the largest node
    sizes = page.tab.evaluate(
        f"() => Object.fromEntries({cy}.nodes().map(n => [n.data('slug'), n.width()]))"
    )
    assert max(sizes, key=sizes.get) == "identity"
    assert page.tab.locator("table.data tbody tr").first.inner_text().startswith("Identity")
    # one click on a link lists its services, each linking to its page
    page.tab.get_by_role("button", name="web → payments").click()
    panel = page.tab.locator("[data-team-links][data-loaded='web>payments']")
    panel.wait_for()
    items = panel.locator("li")
    assert items.count() == 3
    assert "cart → checkout" in items.first.inner_text()
    assert panel.get_by_role("link", name="storefront").first.get_attribute("href") == (
        "/services/storefront/"
    )
    page.screenshot("graph-teams")
    assert page.errors == []


def test_clicking_an_edge_in_the_picture_opens_it_too(page, org, member):
    page.sign_in_as(member)
    page.goto("/graph/teams/")
    page.tab.wait_for_selector("#team-graph[data-ready=true]")
    point = page.tab.evaluate(
        "() => { const e = window.keelGraphs['team-graph'].$id('l:search>identity');"
        " const p = e.renderedMidpoint(); return [p.x, p.y]; }"
    )
    box = page.tab.locator("#team-graph").bounding_box()
    page.tab.mouse.click(box["x"] + point[0], box["y"] + point[1])
    page.tab.locator("[data-team-links][data-loaded='search>identity']").wait_for()
    assert "finder → auth" in page.tab.locator("[data-team-links] li").inner_text()


def test_at_375_pixels_the_team_view_does_not_scroll_sideways(page, org, member):
    page.sign_in_as(member)
    page.tab.set_viewport_size({"width": 375, "height": 812})
    page.goto("/graph/teams/")
    page.tab.wait_for_selector("#team-graph[data-ready=true]")
    overflow = page.tab.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
