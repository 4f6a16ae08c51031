"""An external run whose CI stops reporting is ended failed by the reaper after
``KEEL_DELIVERY_EXTERNAL_SILENCE_SECONDS``, with history, so the pipeline can run again."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from delivery import scheduling
from delivery.models import PipelineRun
from portal.models import ChangeRecord

from .external import COMMIT, cdevent, post, secret_for


@pytest.fixture
def report(repository, member):
    secret, client = secret_for(repository.pipeline, member), Client()

    def send(kind, subject_id, content=None, custom=None):
        answer = post(client, "orders", secret, cdevent(kind, subject_id, content, custom))
        assert answer.status_code == 202, answer.json()

    return send


def test_a_silent_external_run_is_ended_failed_and_no_longer_blocks(report, settings):
    settings.KEEL_DELIVERY_EXTERNAL_SILENCE_SECONDS = 600
    report("pipelinerun.started", "gh-1", {}, {"commit": COMMIT})
    report("taskrun.started", "build-1", {"pipelineRun": {"id": "gh-1"}, "taskName": "build"})
    run = PipelineRun.objects.get()
    heard = run.lease_expires_at - timedelta(seconds=600)
    assert abs((heard - timezone.now()).total_seconds()) < 60

    assert scheduling.reap(now=heard + timedelta(seconds=599))["silent"] == []
    handled = scheduling.reap(now=heard + timedelta(seconds=601))

    run.refresh_from_db()
    assert handled["silent"] == [run.pk]
    assert run.status == PipelineRun.Status.FAILED and run.lease_expires_at is None
    assert run.message.startswith("The external CI reported nothing about this run for 600 s")
    assert {s.name: s.status for s in run.stages.all()} == {
        "build": "failed", "package": "skipped", "staging": "skipped", "bake": "skipped",
        "production": "skipped",
    }  # fmt: skip
    change = ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(run), object_id=str(run.pk),
        action=ChangeRecord.Action.UPDATE,
    ).latest("pk")  # fmt: skip
    assert change.after["status"] == "failed"
    report("pipelinerun.started", "gh-2", {}, {"commit": COMMIT})  # the pipeline runs again
    assert PipelineRun.objects.filter(status=PipelineRun.Status.RUNNING).get().external_id == "gh-2"


def test_each_event_renews_the_time_the_ci_has_to_report(report):
    report("pipelinerun.started", "gh-1", {}, {"commit": COMMIT})
    first = PipelineRun.objects.get().lease_expires_at
    report("taskrun.started", "build-1", {"pipelineRun": {"id": "gh-1"}, "taskName": "build"})
    assert PipelineRun.objects.get().lease_expires_at > first
    assert scheduling.reap(now=first + timedelta(microseconds=1))["silent"] == []
