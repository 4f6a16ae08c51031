"""The compare page in Chromium: the two documents side by side at 1440 px and stacked at
375 px, the breaking change's lines highlighted and linked from the list of changes, and no
serious accessibility violation."""

import pytest

from catalog.actions import publish_api_version
from catalog.factories import ApiConsumptionFactory, ApiFactory, ApiVersionFactory, ServiceFactory
from catalog.models import Api
from portal.models import Interface
from teams.factories import TeamFactory

from ..contracts.conftest import SDL_BREAKING, SDL_V1
from .test_every_page import _serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

URL = "/apis/pets/compare/?base=1.0.0&revision=2.0.0"


@pytest.fixture
def pets(service, member):
    api = ApiFactory(slug="pets", name="Pets", provider=service, type=Api.Type.GRAPHQL)
    ApiVersionFactory(api=api, version="1.0.0", spec=SDL_V1)
    shop = ServiceFactory(slug="shop-web", owner_team=TeamFactory(slug="shop"))
    ApiConsumptionFactory(consumer=shop, api=api, version_requirement="^1.0")
    publish_api_version(api, actor=member, via=Interface.API, version="2.0.0", spec=SDL_BREAKING)
    return member


@pytest.fixture
def axe_page(browser, live_server):
    from .conftest import Page

    context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    tab = Page(context, live_server.url)
    yield tab
    context.close()


def _box(tab, selector):
    return tab.locator(selector).first.bounding_box()


def test_the_compare_page_highlights_the_breaking_lines_side_by_side(axe_page, pets):
    axe_page.sign_in_as(pets)
    tab = axe_page.tab
    axe_page.goto(URL)
    marked = tab.locator("#b-h").locator("xpath=..").locator("tr.mark-breaking")
    assert marked.count() == 2
    texts = sorted(t.strip() for t in marked.locator("td code").all_inner_texts())
    assert texts == ["pet(id: ID!): Pet", "tag: String"]
    # the list of changes links to the marked lines, and following one shows it targeted
    link = tab.locator(".changes.level-breaking a[href^='#b']").first
    target = link.get_attribute("href")
    link.click()
    assert tab.evaluate("location.hash") == target
    assert "mark-breaking" in tab.locator(target).get_attribute("class")
    left, right = _box(tab, ".doc-side:nth-child(1)"), _box(tab, ".doc-side:nth-child(2)")
    assert right["x"] > left["x"] + left["width"] - 1 and abs(right["y"] - left["y"]) < 2
    assert not _serious(tab)

    tab.set_viewport_size({"width": 375, "height": 800})
    axe_page.goto(URL)
    left, right = _box(tab, ".doc-side:nth-child(1)"), _box(tab, ".doc-side:nth-child(2)")
    assert right["y"] >= left["y"] + left["height"] - 1  # stacked
    assert tab.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 1
    assert not _serious(tab)
    assert not axe_page.errors
