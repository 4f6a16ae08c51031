"""Every main page at 1440 and 375 pixels wide: nothing wider than the screen, no serious or
critical accessibility violation by axe-core (vendored beside this file, MPL-2.0; the context
bypasses the CSP only to inject it), and a screenshot of each in
``artifacts/screenshots/pages/``."""

import json
from pathlib import Path

import pytest

from accounts.models import SavedView
from catalog.actions import publish_api_version
from catalog.factories import (
    ApiConsumptionFactory,
    ApiFactory,
    ApiVersionFactory,
    BusinessDomainFactory,
    DataDomainFactory,
    ResourceFactory,
    ServiceFactory,
    SystemFactory,
)
from catalog.models import Api, Lifecycle
from portal.models import Interface
from scaffolding.models import ScaffoldLogEntry, ScaffoldRun, ScaffoldStep
from teams.factories import TeamFactory

from ..contracts.conftest import SDL_BREAKING, SDL_V1
from .conftest import ARTIFACTS, OFF_THE_HEADER_ROW, Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
WIDTHS = (1440, 375)
PAGES = [
    ("home", "/"),
    ("overview", "/overview/"),
    ("services", "/services/"),
    ("services-filtered", "/services/?lifecycle=production&tag=payments"),
    ("service", "/services/checkout/"),
    ("teams", "/teams/"),
    ("team", "/teams/payments/"),
    ("person", "/people/{member}/"),
    ("apis", "/apis/"),
    ("api", "/apis/checkout-api/"),
    ("api-graphql-versions", "/apis/pets/"),
    ("api-compare", "/apis/pets/compare/?base=1.0.0&revision=2.0.0"),
    ("api-breaking", "/apis/pets/breaking/2.0.0/"),
    ("domains", "/domains/"),
    ("domain", "/domains/orders/"),
    ("systems", "/systems/"),
    ("system", "/systems/checkout-flow/"),
    ("business-domains", "/business-domains/"),
    ("graph", "/graph/"),
    ("graph-teams", "/graph/teams/"),
    ("search", "/search/?q=checkout"),
    ("search-operations", "/search/?q=list_items"),
    ("create", "/create/"),
    ("create-form", "/create/?template=python-http-service"),
    ("imports", "/imports/"),
    ("tokens", "/accounts/tokens/"),
    ("inbox", "/inbox/"),
    ("team-webhook", "/teams/payments/webhook/"),
    ("saved-views", "/accounts/saved-views/"),
    ("services-saved-view", "/services/?lifecycle=production&tier=1"),
    ("services-stale-view", "/services/?lifecycle=retired"),
    ("scaffold-run", "/create/runs/{run}/"),
    ("not-found", "/services/no-such-service/"),
    ("confirm-delete", "/systems/checkout-flow/delete/"),
]


@pytest.fixture
def shop(team, service, member):
    web = TeamFactory(slug="web", name="Web")
    storefront = ServiceFactory(
        slug="storefront",
        name="Storefront",
        owner_team=web,
        lifecycle=Lifecycle.PRODUCTION,
        tier=1,
        tags=["payments"],
        description="The shop window: every page a customer sees.",
    )
    domain = DataDomainFactory(slug="orders", name="Orders", owner_service=service)
    ResourceFactory(slug="orders-db", name="Orders DB", service=service, data_domain=domain)
    api = ApiFactory(slug="checkout-api", name="Checkout API", provider=service)
    ApiVersionFactory(api=api, version="1.0.0")
    ApiConsumptionFactory(consumer=storefront, api=api)
    pets = ApiFactory(slug="pets", name="Pets", provider=service, type=Api.Type.GRAPHQL)
    ApiVersionFactory(api=pets, version="1.0.0", spec=SDL_V1)
    ApiConsumptionFactory(consumer=storefront, api=pets, version_requirement="^1.0")
    publish_api_version(pets, actor=member, via=Interface.API, version="2.0.0", spec=SDL_BREAKING)
    area = BusinessDomainFactory(slug="commerce", name="Commerce", owner_team=team)
    SystemFactory(slug="checkout-flow", name="Checkout flow", owner_team=team, business_domain=area)
    for name, query, shared in [
        ("production-tier-one", "lifecycle=production&tier=1", team),
        ("retired", "lifecycle=retired", None),  # a lifecycle that no longer exists
    ]:
        SavedView.objects.create(
            user=member, team=shared, list_name="catalog:service-list", name=name, query=query
        )
    run = ScaffoldRun.objects.create(
        slug="checkout", template="python-http-service", template_version="1.0.0", parameters={},
        owner_team=team, requested_by=member, status="succeeded", service=service,
        repository_url="http://keel.test/git/checkout.git",
    )  # fmt: skip
    ScaffoldStep.objects.create(run=run, position=0, name="render", status="succeeded")
    ScaffoldLogEntry.objects.create(run=run, step="render", message="Rendered 12 files")
    member.scaffold_run = run
    return member


@pytest.fixture
def axe_page(browser, live_server):
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}, bypass_csp=True)
    tab = Page(context, live_server.url)
    yield tab
    context.close()


def _serious(tab) -> list[str]:
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v =>"
        " ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"
    )
    return [json.dumps(v) for v in result if v["impact"] in ("serious", "critical")]


def test_every_main_page_fits_a_phone_and_passes_axe(axe_page, shop):
    axe_page.sign_in_as(shop)
    folder = ARTIFACTS / "screenshots" / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    problems = []
    for name, path in PAGES:
        for width in WIDTHS:
            axe_page.tab.set_viewport_size({"width": width, "height": 900})
            axe_page.goto(path.format(member=shop.username, run=shop.scaffold_run.uuid))
            axe_page.tab.wait_for_load_state("networkidle")
            overflow = axe_page.tab.evaluate(
                "document.scrollingElement.scrollWidth - window.innerWidth"
            )
            if overflow > 1:
                problems.append(f"{name} at {width}px is {overflow}px wider than the screen")
            hidden = axe_page.tab.evaluate(
                "[...document.querySelectorAll('.main-nav a')].filter(a => {"
                " const box = a.getBoundingClientRect();"
                " return box.right > window.innerWidth || box.left < 0; }).map(a => a.textContent)"
            )
            if hidden:
                problems.append(f"{name} at {width}px hides {hidden} of the navigation")
            wrapped = axe_page.tab.evaluate(OFF_THE_HEADER_ROW) if width == WIDTHS[0] else []
            if wrapped:
                problems.append(f"{name} at {width}px wraps {wrapped} off the header's row")
            problems += [f"{name} at {width}px: {v}" for v in _serious(axe_page.tab)]
            axe_page.tab.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    assert not axe_page.errors
    assert not problems, "\n".join(problems)
