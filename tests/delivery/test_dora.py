"""DORA figures from a known sequence of production deployments: exact numbers."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from delivery import dora
from delivery.models import Deployment, Environment, PipelineRun
from teams.factories import TeamFactory

from .external import COMMIT

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def at(days_ago: float, hours: float = 0) -> datetime:
    return NOW - timedelta(days=days_ago) + timedelta(hours=hours)


def deploy(
    env, status, created, *, live_after_minutes=10, committed=None, kind="deploy", previous=None
):
    run = None
    if committed is not None:
        number = env.pipeline.runs.count() + 1
        run = PipelineRun.objects.create(pipeline=env.pipeline, number=number, trigger="manual",
                                         commit_sha=COMMIT, committed_at=committed, status="succeeded")  # fmt: skip
    row = Deployment.objects.create(environment=env, kind=kind, status=status, run=run,
                                    artifact_digest="a" * 64, previous=previous,
                                    finished_at=created + timedelta(minutes=live_after_minutes))  # fmt: skip
    Deployment.objects.filter(pk=row.pk).update(created_at=created)
    row.refresh_from_db()
    return row


@pytest.fixture
def production(repository, service):
    repository.pipeline.service = service
    repository.pipeline.save()
    return Environment.objects.create(pipeline=repository.pipeline, name="production", position=1)


def sequence(production):
    """Four production deployments in ten days: one rolled back 30 minutes after it went
    live, one failed smoke recovered by the next one 2 hours later; one refused, one older
    than the window, and one in staging that do not count."""
    one = deploy(production, "replaced", at(9), committed=at(9, -2))  # lead 2h10m
    two = deploy(production, "rolled_back", at(7), committed=at(7, -1))  # lead 1h10m
    deploy(production, "live", at(7, 0.5), live_after_minutes=10, kind="rollback", previous=two)
    three = deploy(production, "failed", at(5), committed=at(5, -3))
    four = deploy(production, "live", at(5, 2), committed=at(5, -4))  # lead 6h10m
    deploy(production, "refused", at(4))
    deploy(production, "live", at(40), committed=at(41))
    staging = Environment.objects.create(pipeline=production.pipeline, name="staging", position=0)
    deploy(staging, "failed", at(3))
    return one, two, three, four


def test_known_sequence_gives_exact_figures(production):
    sequence(production)
    figures = dora.figures(days=10, now=NOW)
    assert figures.deployments == 3  # went live: one, two, four
    assert figures.deployment_frequency_per_day == 0.3
    assert figures.failed_deployments == 2  # two (rolled back), three (failed smoke)
    assert figures.change_failure_rate == 0.5  # 2 of the 4 attempted
    assert figures.lead_time_seconds == 2 * 3600 + 600  # median of 2h10, 1h10, 6h10
    assert figures.lead_time_count == 3
    # two: live at +10min, rollback live at +40min -> 30 min; three: +10min -> four at 2h10 -> 2h
    assert figures.recovery_time_seconds == (30 * 60 + 2 * 3600) / 2
    assert (figures.recovered, figures.unrecovered) == (2, 0)
    days = {d.date.isoformat(): (d.deployments, d.failed) for d in figures.daily}
    assert (
        days["2026-11-24"] == (1, 1)
        and days["2026-11-26"] == (1, 1)
        and days["2026-11-22"] == (1, 0)
    )
    assert sum(d.deployments for d in figures.daily) == 3


def test_scope_by_service_and_team_and_bounded_window(production, service):
    sequence(production)
    assert dora.figures(service=service, days=10, now=NOW).deployments == 3
    assert dora.figures(team=TeamFactory(slug="other"), days=10, now=NOW).deployments == 0
    assert dora.figures(days=1, now=NOW).deployments == 0
    with pytest.raises(ValidationError):
        dora.window("0")
    with pytest.raises(ValidationError):
        dora.window("100000")
    assert dora.window("30") == 30


def test_rest_csv_graphql_and_the_page_give_the_same_figures(production, service, member, client):
    from rest_framework.test import APIClient

    from tests.graphql.conftest import GraphQLClient

    sequence(production)
    # the sequence is dated from NOW; move it to the real now so the window holds it
    shift = datetime.now(UTC) - NOW
    for row in Deployment.objects.all():
        Deployment.objects.filter(pk=row.pk).update(created_at=row.created_at + shift,
                                                    finished_at=row.finished_at + shift)  # fmt: skip
    for run in PipelineRun.objects.all():
        PipelineRun.objects.filter(pk=run.pk).update(committed_at=run.committed_at + shift)
    bake(production.pipeline, "failed", datetime.now(UTC), {"requests": 200, "errors": 20,
                                                            "throttled": 0, "p99_ms": 90.0})  # fmt: skip
    api = APIClient()
    api.force_authenticate(member)
    body = api.get("/api/v1/dora/", {"service": "checkout", "days": 10}).json()
    assert (body["service"], body["deployments"], body["change_failure_rate"]) == (
        "checkout",
        3,
        0.5,
    )
    assert body["lead_time_seconds"] == 7800 and body["failed_deployments"] == 2
    assert (body["operations"]["bakes"], body["operations"]["error_rate"]) == (1, 0.1)
    csv = api.get("/api/v1/dora/", {"team": "payments", "days": 10, "format": "csv"})
    lines = csv.content.decode().splitlines()
    assert csv["Content-Type"].startswith("text/csv") and lines[0] == "date,deployments,failed"
    assert sum(int(line.split(",")[1]) for line in lines[1:]) == 3
    assert api.get("/api/v1/dora/", {"days": 0}).status_code == 400
    assert api.get("/api/v1/dora/", {"service": "nothing"}).status_code == 400
    assert api.get("/api/v1/dora/", {"days": 0, "format": "csv"}).status_code == 400
    assert api.get("/api/v1/dora/", {"format": "xml"}).status_code == 400

    client.force_login(member)
    gql = GraphQLClient(client)
    data = gql(
        '{ dora(team: "payments", days: 10) { deployments changeFailureRate recoveryTimeSeconds'
        " daily { failed } operations { stopped p99MsMax } } }"
    )
    assert data["dora"]["deployments"] == 3 and data["dora"]["recoveryTimeSeconds"] == 4500
    assert data["dora"]["operations"] == {"stopped": 1, "p99MsMax": 90.0}
    page = client.get("/dora/", {"service": "checkout", "days": 10, "partial": 1}).content.decode()
    assert "<svg" in page and "50 %" in page and "7800 s median" in page
    assert "1 bake, 1 stopped a release · 200 requests, 5xx 10 %" in page
    assert client.get("/dora/", {"days": "x"}).status_code == 400


def test_service_and_team_pages_load_the_chart(production, service, member, client):
    client.force_login(member)
    assert (
        "/dora/?service=checkout&amp;partial=1"
        in client.get(service.get_absolute_url()).content.decode()
    )
    assert (
        "/dora/?team=payments&amp;partial=1"
        in client.get(service.owner_team.get_absolute_url()).content.decode()
    )


def bake(pipeline, status, finished, observed):
    number = pipeline.runs.count() + 1
    run = PipelineRun.objects.create(pipeline=pipeline, number=number, trigger="manual",
                                     commit_sha=COMMIT, status="succeeded")  # fmt: skip
    return run.stages.create(position=3, name="bake", status=status, finished_at=finished,
                             result={"observed": observed} if observed else {})  # fmt: skip


def test_the_bakes_operational_figures_are_summed_over_the_window(production):
    pipeline = production.pipeline
    bake(pipeline, "succeeded", at(2), {"requests": 900, "errors": 3, "throttled": 9,
                                        "p99_ms": 120.0})  # fmt: skip
    bake(pipeline, "failed", at(1), {"requests": 100, "errors": 47, "throttled": 1,
                                     "p99_ms": 800.0})  # fmt: skip
    bake(pipeline, "failed", at(1), None)  # ended before it watched: not counted
    bake(pipeline, "succeeded", at(20), {"requests": 5000, "errors": 0, "throttled": 0})

    ops = dora.figures(days=10, now=NOW).operations

    assert (ops.bakes, ops.stopped, ops.requests, ops.errors, ops.throttled) == (2, 1, 1000, 50, 10)
    assert (ops.error_rate, ops.throttle_rate) == (0.05, 0.01)
    assert (ops.p99_ms_median, ops.p99_ms_max) == (460.0, 800.0)
    other_team = dora.figures(team=TeamFactory(), days=10, now=NOW).operations
    assert (other_team.bakes, other_team.error_rate) == (0, None)
