"""Every main page at 1440 and 375 pixels wide: nothing wider than the screen, no serious or
critical accessibility violation by axe-core (vendored beside this file, MPL-2.0; the context
bypasses the CSP only to inject it), and a screenshot of each in
``artifacts/screenshots/pages/``."""

import json
from pathlib import Path

import pytest
from django.utils import timezone

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
from delivery.models import Artifact, Deployment, Environment, PipelineRun, StageRun
from portal.models import Interface
from scaffolding.models import Pipeline, PipelineStage, ScaffoldLogEntry, ScaffoldRun, ScaffoldStep
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
    ("pipeline", "/pipelines/checkout/"),
    ("pipeline-runs", "/pipelines/checkout/runs/"),
    ("pipeline-run", "/pipelines/checkout/runs/1/"),
    ("environment", "/pipelines/checkout/environments/production/"),
    ("artifact", "/artifacts/" + "a" * 64 + "/"),
    ("dora", "/dora/?team=payments"),
    ("confirm-rollback", "/pipelines/checkout/environments/production/rollback/"),
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
    delivered(run, service, member)
    return member


def delivered(scaffold, service, member):
    """checkout's pipeline: a run through every stage, its artifact, two releases in
    production (so that a rollback has somewhere to go) and one in staging."""
    pipeline = Pipeline.objects.create(
        slug="checkout", owner_team=service.owner_team, service=service, run=scaffold,
        repository_url=scaffold.repository_url,
    )  # fmt: skip
    stages = ("build", "package", "staging", "bake", "production")
    for position, name in enumerate(stages):
        environment = {"staging": "staging", "bake": "staging", "production": "production"}
        PipelineStage.objects.create(
            pipeline=pipeline, position=position, name=name,
            environment=environment.get(name, ""), on_success="promote", on_failure="stop",
        )  # fmt: skip
    now = timezone.now()
    artifact = Artifact.objects.create(
        digest="a" * 64, path="artifacts/" + "a" * 64 + "/artifact.tar.gz", size=2048,
        provenance={
            "source": {"commit": "c" * 40}, "builder": {"name": "keel"}, "built_at": str(now),
            "dependencies": [{"name": "bottle", "version": "0.13.4", "sha256": "d" * 64,
                              "file": "bottle-0.13.4-py2.py3-none-any.whl"}],
        },
    )  # fmt: skip
    run = PipelineRun.objects.create(
        pipeline=pipeline, number=1, trigger="push", commit_sha="c" * 40, status="succeeded",
        started_by=member, artifact=artifact, started_at=now, finished_at=now,
        message="Every stage succeeded.",
    )  # fmt: skip
    for position, name in enumerate(stages):
        result = {"verdict": "passed", "seconds": 10, "breaches": [],
                  "thresholds": {"error_rate": 0.01, "throttle_rate": 0.05, "p99_ms": 500,
                                 "min_requests": 20},
                  "observed": {"requests": 120, "errors": 0, "throttled": 0, "error_rate": 0.0,
                               "throttle_rate": 0.0, "p99_ms": 12.0, "rates_judged": True,
                               "scrapes": 3}} if name == "bake" else {}  # fmt: skip
        StageRun.objects.create(run=run, position=position, name=name, status="succeeded",
                                started_at=now, finished_at=now, log=f"{name}: done",
                                result=result)  # fmt: skip
    for position, name in enumerate(("staging", "production")):
        env = Environment.objects.create(pipeline=pipeline, name=name, position=position)
        older = Deployment.objects.create(
            environment=env, status="replaced", run=run, artifact=artifact,
            artifact_digest="b" * 64, commit_sha="b" * 40, version="0.1.0", finished_at=now,
            url="http://127.0.0.1:9", actor=member,
        )  # fmt: skip
        live = Deployment.objects.create(
            environment=env, status="live", run=run, artifact=artifact,
            artifact_digest=artifact.digest, commit_sha=run.commit_sha, version="0.2.0",
            previous=older, finished_at=now, url="http://127.0.0.1:9", actor=member,
        )  # fmt: skip
        env.current = live
        env.save(update_fields=["current"])


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
