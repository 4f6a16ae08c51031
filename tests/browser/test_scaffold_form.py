"""Self-service in Chromium: a person walks the "create a service" form from template to
registered service, and the run page follows the worker live.

(Kept beside the other browser tests: it shares their session-wide Chromium, which a second
conftest cannot start again in the same process.)"""

import pytest

from catalog.models import Service
from portal.celery import app as celery_app
from scaffolding import actions, tasks
from scaffolding.models import ScaffoldRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARAMS = {"slug": "orders", "name": "Orders", "owner_team": "payments"}


@pytest.fixture(autouse=True)
def scaffolding_here(settings, tmp_path, live_server):
    settings.KEEL_REPOSITORY_ROOT = tmp_path / "repositories"
    settings.KEEL_SCAFFOLD_WORK_DIR = tmp_path / "work"
    settings.KEEL_REPOSITORY_PROVIDER = "local"
    settings.KEEL_BASE_URL = live_server.url


@pytest.fixture
def eager_celery():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_walk_the_form_from_template_to_service(page, member, eager_celery):
    page.sign_in_as(member)
    tab = page.tab

    # The template chooser, then the form generated from the schema
    page.goto("/create/")
    tab.get_by_role("link", name="Python HTTP service").click()
    tab.wait_for_selector("#scaffold-form")
    assert tab.locator("select[name=owner_team] option").all_inner_texts() == ["Payments"]

    # A name that is not a DNS label is refused beside its field
    tab.fill("input[name=slug]", "Orders_API")
    tab.fill("input[name=name]", "Orders API")
    tab.fill("input[name=port]", "80")
    tab.evaluate("document.getElementById('scaffold-form').noValidate = true")
    tab.get_by_role("button", name="Create the service").click()
    assert "lower-case letters, digits and hyphens" in tab.locator("#id_slug_error").inner_text()
    assert tab.locator("#id_port_error").inner_text() == "HTTP port is at least 1024."
    page.screenshot("scaffold-form-errors")

    # Corrected, it starts the run; the run page shows every step and the result
    tab.fill("input[name=slug]", "orders-api")
    tab.fill("input[name=port]", "8080")
    tab.fill("textarea[name=description]", "Takes <script>alert(1)</script> orders")
    tab.get_by_role("button", name="Create the service").click()
    tab.wait_for_url("**/create/runs/**")
    tab.wait_for_selector('#run-status[data-status="succeeded"]')
    assert tab.locator("#run-steps tr").count() == 6
    assert set(tab.locator("#run-steps .status").all_inner_texts()) == {"Succeeded"}
    page.screenshot("scaffold-run")

    tab.locator("#service-link").click()
    tab.wait_for_url("**/services/orders-api/")
    assert Service.objects.get(slug="orders-api").owner_team.slug == "payments"
    assert page.dialogs == [] and page.errors == []


def test_the_run_page_updates_live_while_the_worker_works(page, member, monkeypatch):
    # Given a run that no worker has taken yet
    monkeypatch.setattr(actions, "enqueue", lambda run_id: None)
    run = actions.request_scaffold(
        actor=member, via="ui", template="python-http-service", parameters=PARAMS
    )
    page.sign_in_as(member)
    page.goto(run.get_absolute_url())
    assert page.tab.locator("#run-status").inner_text() == "Pending"

    # When a worker runs it, the open page follows without a reload
    tasks.run_scaffold.run(str(run.uuid))
    page.tab.wait_for_selector('#run-status[data-status="succeeded"]')
    assert set(page.tab.locator("#run-steps .status").all_inner_texts()) == {"Succeeded"}
    assert page.tab.locator("#run-log li").count() == ScaffoldRun.objects.get().log_entries.count()
    assert page.tab.locator("#service-link").get_attribute("href") == "/services/orders/"
