"""One view of a scaffold run (``scaffolding.progress``): the run page, its JSON, REST and
GraphQL show the same status, steps, log and next steps, read in a fixed number of queries."""

import pytest
from django.test import Client
from django.utils import timezone

from catalog.factories import ServiceFactory
from scaffolding.models import ScaffoldLogEntry, ScaffoldRun, ScaffoldStep

pytestmark = pytest.mark.django_db

QUERY = """query($uuid: UUID!) { scaffoldRun(uuid: $uuid) {
  status steps { name status durationSeconds } log { step message } nextSteps { kind label url }
} }"""


@pytest.fixture
def page(member):
    client = Client()
    client.force_login(member)
    return client


def _run(team, member, status="succeeded", **fields):
    run = ScaffoldRun.objects.create(
        slug="payouts", template="python-worker", template_version="1.0.0", parameters={},
        owner_team=team, requested_by=member, status=status, **fields,
    )  # fmt: skip
    now = timezone.now()
    for position, name in enumerate(["render", "repository"]):
        ScaffoldStep.objects.create(
            run=run, position=position, name=name, status="succeeded", started_at=now,
            finished_at=now + timezone.timedelta(seconds=2),
        )  # fmt: skip
    ScaffoldLogEntry.objects.create(run=run, step="render", message="Rendered 12 files")
    return run


def test_the_page_rest_and_graphql_show_one_view_of_the_run(team, member, page):
    service = ServiceFactory(slug="payouts", name="Payouts", owner_team=team)
    run = _run(team, member, service=service, repository_url="http://keel.test/git/payouts.git")

    rest = page.get(f"/api/v1/scaffold-runs/{run.uuid}/").json()
    as_json = page.get(run.get_absolute_url(), {"format": "json"}).json()
    graphql = page.post(
        "/graphql/", {"query": QUERY, "variables": {"uuid": str(run.uuid)}}, "application/json"
    ).json()["data"]["scaffoldRun"]
    html = page.get(run.get_absolute_url()).content.decode()

    expected_next = [
        {"kind": "service", "label": "Open Payouts in the catalog", "url": "/services/payouts/"},
        {
            "kind": "clone",
            "label": "Clone its repository",
            "url": "http://keel.test/git/payouts.git",
        },
    ]
    assert as_json == rest
    assert rest["next_steps"] == graphql["nextSteps"] == expected_next
    assert [(s["name"], s["status"], s["duration_seconds"]) for s in rest["steps"]] == [
        ("render", "succeeded", 2.0),
        ("repository", "succeeded", 2.0),
    ]
    assert [(s["name"], s["durationSeconds"]) for s in graphql["steps"]] == [
        ("render", 2.0),
        ("repository", 2.0),
    ]
    assert graphql["log"] == [{"step": "render", "message": "Rendered 12 files"}]
    assert rest["status_label"] == "Succeeded" and rest["finished"] is True
    for next_step in expected_next:
        assert next_step["label"] in html and next_step["url"] in html
    assert "Rendered 12 files" in html and 'data-step="repository"' in html


def test_a_run_in_flight_has_no_next_steps_and_keeps_polling(team, member, page):
    run = _run(team, member, status="running")
    assert page.get(f"/api/v1/scaffold-runs/{run.uuid}/").json()["next_steps"] == []
    html = page.get(run.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in html and "Next steps" not in html


def test_reading_a_run_takes_the_same_queries_whatever_its_length(
    team, member, page, django_assert_max_num_queries
):
    run = _run(team, member)
    url = f"/api/v1/scaffold-runs/{run.uuid}/"
    with django_assert_max_num_queries(30) as few:
        page.get(url)
    for n in range(20):
        ScaffoldLogEntry.objects.create(run=run, step="repository", message=f"line {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(page.get(url).json()["log"]) == 21
