"""The webhook target hands a release to an external CD system, signed; the CD system's
service.deployed report then marks the waiting Deployment live."""

import json

import httpx
import pytest
from django.test import Client

from delivery import signing
from delivery.models import Deployment, Environment
from delivery.targets import webhook

from .external import DIGEST, cdevent, passed_run, post, secret_for


@pytest.fixture
def waiting(repository, member):
    pipeline = repository.pipeline
    pipeline.definition = {"spec": {"environments": {"production": {"target": "webhook",
                                                                    "url": "https://cd.example/deploy"}}}}  # fmt: skip
    pipeline.save()
    env = Environment.objects.create(
        pipeline=pipeline, name="production", position=1, target="webhook"
    )
    secret = secret_for(pipeline, member)
    deployment = Deployment.objects.create(
        environment=env, artifact_digest=DIGEST, commit_sha="c" * 40
    )
    return deployment, secret


def test_posts_a_signed_release_and_the_report_marks_it_live(waiting, repository):
    deployment, secret = waiting
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(202)

    webhook.deploy(deployment, transport=httpx.MockTransport(handler))

    request = seen[0]
    assert str(request.url) == "https://cd.example/deploy"
    body = request.content
    signing.verify(
        secret, request.headers["X-Keel-Timestamp"], request.headers["X-Keel-Signature"], body
    )
    sent = json.loads(body)
    assert sent["artifact"]["digest"] == f"sha256:{DIGEST}" and sent["environment"] == "production"
    assert sent["report_to"].endswith("/api/v1/delivery/events/")

    passed_run(repository.pipeline)
    content = {"environment": {"id": "production"}, "artifactId": f"pkg:oci/orders@sha256:{DIGEST}"}
    answer = post(Client(), "orders", secret, cdevent("service.deployed", "orders", content))
    assert answer.status_code == 202
    deployment.refresh_from_db()
    assert deployment.status == "live" and Deployment.objects.count() == 1
    assert Environment.objects.get(name="production").current == deployment


def test_a_refusing_or_missing_webhook_raises(waiting):
    deployment, _ = waiting
    with pytest.raises(webhook.WebhookFailed, match="answered 500"):
        webhook.deploy(deployment, transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    deployment.environment.pipeline.definition = {}
    with pytest.raises(webhook.WebhookFailed, match="no http"):
        webhook.deploy(deployment)
