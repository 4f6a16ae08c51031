"""The CDEvents webhook: signed, replay-proof, bounded; each refusal changes nothing; an
external CI's run, stages and artifact recorded; a production report refused by the policy
recorded as a violation."""

import json

import pytest
from django.test import Client

from delivery.models import Deployment, Environment, PipelineRun, PolicyViolation, ReceivedEvent
from delivery.signing import headers
from portal.models import ChangeRecord

from .external import COMMIT, DIGEST, cdevent, passed_run, post, secret_for


@pytest.fixture
def secret(repository, member):
    return secret_for(repository.pipeline, member)


@pytest.fixture
def client():
    return Client()


def counts():
    return (
        PipelineRun.objects.count(), ReceivedEvent.objects.count(), Deployment.objects.count(),
        PolicyViolation.objects.count(), ChangeRecord.objects.count(),
    )  # fmt: skip


def started(client, secret, run_id="gh-1"):
    return post(client, "orders", secret,
                cdevent("pipelinerun.started", run_id, {"pipelineName": "orders"},
                        {"commit": COMMIT, "committedAt": "2026-12-01T20:00:00Z"}))  # fmt: skip


def test_an_external_run_its_stages_and_artifact_are_recorded(client, secret, repository):
    response = started(client, secret)
    assert response.status_code == 202, response.json()
    run = PipelineRun.objects.get()
    assert run.committed_at.isoformat() == "2026-12-01T20:00:00+00:00"
    assert (run.trigger, run.status, run.external_id, run.commit_sha) == (
        "external",
        "running",
        "gh-1",
        COMMIT,
    )
    assert [s.status for s in run.stages.all()] == ["pending"] * 5
    for name in ("build", "package"):
        ref = {"pipelineRun": {"id": "gh-1"}, "taskName": name}
        assert (
            post(client, "orders", secret, cdevent("taskrun.started", f"{name}-1", ref)).status_code
            == 202
        )
        done = cdevent("taskrun.finished", f"{name}-1", {**ref, "outcome": "success"})
        assert post(client, "orders", secret, done).status_code == 202
    packaged = cdevent(
        "artifact.packaged", f"pkg:generic/orders@sha256%3A{DIGEST}", {}, {"pipelineRun": "gh-1"}
    )
    assert post(client, "orders", secret, packaged).status_code == 202
    finished = cdevent("pipelinerun.finished", "gh-1", {"outcome": "failure"})
    assert post(client, "orders", secret, finished).status_code == 202

    run.refresh_from_db()
    stages = {s.name: s for s in run.stages.all()}
    assert run.status == "failed"
    assert stages["build"].status == "succeeded" and stages["package"].result["artifact"] == DIGEST
    assert stages["bake"].status == "skipped"
    assert ChangeRecord.objects.filter(actor__username="keel-system", interface="api").count() >= 6


def test_forged_stale_unsigned_unknown_replayed_malformed_and_oversized_change_nothing(
    client, secret, repository, settings
):
    event = cdevent("pipelinerun.started", "gh-1", {}, {"commit": COMMIT})
    body = json.dumps(event).encode()
    before = counts()
    forged = post(client, "orders", "not-the-secret", event)
    unsigned = client.post("/api/v1/delivery/events/", data=body, content_type="application/json",
                           HTTP_X_KEEL_PIPELINE="orders")  # fmt: skip
    stale = {
        f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers(secret, body, now=1).items()
    }
    old = client.post("/api/v1/delivery/events/", data=body, content_type="application/json",
                      HTTP_X_KEEL_PIPELINE="orders", **stale)  # fmt: skip
    unknown = post(client, "nothing", secret, event)
    malformed = post(client, "orders", secret, None, body=b'{"context": ')
    wrong_type = post(
        client,
        "orders",
        secret,
        {**event, "context": {**event["context"], "type": "dev.cdevents.moon.landed.0.1.0"}},
    )
    no_commit = post(client, "orders", secret, cdevent("pipelinerun.started", "gh-2", {}))
    nested = post(client, "orders", secret, None, body=b"[" * 5000 + b"]" * 5000)
    settings.KEEL_DELIVERY_EVENT_MAX_BYTES = 100
    oversized = post(
        client, "orders", secret, cdevent("pipelinerun.started", "gh-1", {"pad": "x" * 200})
    )
    assert counts() == before

    assert forged.status_code == 403 and unknown.status_code == 403
    assert unsigned.status_code == 401 and old.status_code == 401
    assert malformed.status_code == 400 and "body" in malformed.json()["errors"]
    assert wrong_type.status_code == 400 and "context.type" in wrong_type.json()["errors"]
    assert no_commit.status_code == 400 and "customData.commit" in no_commit.json()["errors"]
    assert nested.status_code == 400
    assert oversized.status_code == 413


def test_a_replayed_event_id_is_refused_and_changes_nothing(client, secret, repository):
    event = cdevent("pipelinerun.started", "gh-1", {}, {"commit": COMMIT})
    assert post(client, "orders", secret, event).status_code == 202
    before = counts()
    replay = post(client, "orders", secret, event)
    assert replay.status_code == 409 and counts() == before


def test_a_rotated_secret_stops_verifying_the_old_one(client, secret, repository, member):
    new = secret_for(repository.pipeline, member)
    assert started(client, secret).status_code == 403
    assert started(client, new).status_code == 202
    assert not ChangeRecord.objects.filter(after__secret__isnull=False).exists()


def deployed(client, secret, environment="production", digest=DIGEST, kind="service.deployed"):
    content = {"environment": {"id": environment}, "artifactId": f"pkg:oci/orders@sha256:{digest}"}
    return post(client, "orders", secret, cdevent(kind, "orders", content))


def test_external_production_report_for_an_unbaked_artifact_is_refused_and_recorded(
    client, secret, repository, member_client
):
    passed_run(repository.pipeline, bake="breached")
    response = deployed(client, secret)

    assert response.status_code == 422 and response.json()["refused"] is True
    assert "bake" in response.json()["reasons"][0]
    refused = Deployment.objects.get()
    assert refused.status == "refused" and refused.environment.name == "production"
    violation = PolicyViolation.objects.get()
    assert (
        violation.deployment == refused
        and violation.event_id == json.loads(response.content)["event"]
    )
    assert Environment.objects.get(name="production").current is None
    listed = member_client.get("/api/v1/pipelines/orders/violations/").json()
    assert listed["count"] == 1 and listed["results"][0]["artifact"] == DIGEST


def test_allowed_deployments_move_current_and_a_rollback_restores(client, secret, repository):
    passed_run(repository.pipeline)
    other = "d" * 64
    passed_run(repository.pipeline, other)
    assert deployed(client, secret).status_code == 202
    assert deployed(client, secret, digest=other, kind="service.upgraded").status_code == 202
    assert deployed(client, secret, kind="service.rolledback").status_code == 202

    production = Environment.objects.get(name="production")
    first, second, rollback = Deployment.objects.order_by("id")
    assert production.current == rollback and rollback.kind == "rollback"
    assert (first.status, second.status, rollback.status) == ("replaced", "rolled_back", "live")
    assert rollback.previous == second
    unknown_env = deployed(client, secret, environment="moon")
    assert unknown_env.status_code == 400 and Deployment.objects.count() == 3


def test_violations_list_query_count_does_not_grow(
    member_client, repository, django_assert_max_num_queries
):
    env = Environment.objects.create(pipeline=repository.pipeline, name="production", position=1)

    def add(count):
        for n in range(count):
            PolicyViolation.objects.create(pipeline=repository.pipeline, environment=env,
                                           artifact_digest=DIGEST, reasons=["no"], event_id=f"e{n}")  # fmt: skip

    add(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert member_client.get("/api/v1/pipelines/orders/violations/").json()["count"] == 1
    add(9)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert (
            len(member_client.get("/api/v1/pipelines/orders/violations/").json()["results"]) == 10
        )


def test_a_second_external_run_while_one_runs_is_a_conflict_and_queued_is_noted(
    client, secret, repository
):
    assert started(client, secret, "gh-1").status_code == 202
    before = counts()
    second = started(client, secret, "gh-2")
    queued = post(
        client, "orders", secret, cdevent("pipelinerun.queued", "gh-3", {}, {"commit": COMMIT})
    )
    assert second.status_code == 409 and "already running" in str(second.json()["errors"])
    assert queued.status_code == 202 and PipelineRun.objects.count() == 1
    assert counts()[0] == before[0] and counts()[2:4] == before[2:4]
