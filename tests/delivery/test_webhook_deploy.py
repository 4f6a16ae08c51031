"""The webhook target in ``targets.registry()``, for real: a local HTTP server plays the CD
system, takes the signed release and reports ``service.deployed`` back to Keel's events
endpoint; the deployment waiting for it becomes live through that report alone."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connections
from django.test import Client

from delivery import deployments, signing
from delivery.models import Deployment, Environment, PolicyViolation
from portal.models import Interface

from .external import DIGEST, cdevent, passed_run, post, secret_for

# The CD system's handler posts its report through another database connection.
pytestmark = pytest.mark.django_db(transaction=True)


class CDSystem:
    """Answers each webhook 202 after reporting the release deployed (when ``reports``)."""

    def __init__(self, secret: str, reports: bool = True):
        self.secret, self.reports, self.received, self.answers = secret, reports, [], []
        system = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                signing.verify(system.secret, self.headers["X-Keel-Timestamp"],
                               self.headers["X-Keel-Signature"], body)  # fmt: skip
                release = json.loads(body)
                system.received.append(release)
                if system.reports:
                    content = {
                        "environment": {"id": release["environment"]},
                        "artifactId": f"pkg:oci/orders@{release['artifact']['digest']}",
                    }
                    event = cdevent("service.deployed", release["pipeline"], content)
                    answer = post(Client(), release["pipeline"], system.secret, event)
                    system.answers.append(answer.status_code)
                    connections.close_all()  # this thread's, so the test database can go
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/deploy"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def handover(repository, member):
    """A deploying production Deployment of the webhook target, and a function starting a
    CD system at the environment's url."""
    servers = []
    secret = secret_for(repository.pipeline, member)
    env = Environment.objects.create(
        pipeline=repository.pipeline, name="production", position=1, target="webhook"
    )
    deployment = Deployment.objects.create(
        environment=env, artifact_digest=DIGEST, commit_sha="c" * 40
    )

    def cd_system(**kwargs) -> CDSystem:
        system = CDSystem(secret, **kwargs)
        servers.append(system)
        repository.pipeline.definition = {
            "spec": {"environments": {"production": {"target": "webhook", "url": system.url}}}
        }
        repository.pipeline.save()
        return system

    yield deployment, cd_system
    for system in servers:
        system.close()


def carry_out(deployment, member):
    notes = []
    deployment = Deployment.objects.select_related("environment__pipeline").get(pk=deployment.pk)
    ok, result, message = deployments.carry_out(
        deployment, actor=member, via=Interface.JOB, note=notes.append
    )
    deployment.refresh_from_db()
    return ok, result, message, deployment


def test_the_cd_systems_report_makes_the_handed_over_release_live(handover, repository, member):
    deployment, cd_system = handover
    passed_run(repository.pipeline)
    system = cd_system()

    ok, result, message, deployment = carry_out(deployment, member)

    assert ok, message
    assert system.answers == [202]
    assert system.received[0]["deployment"] == deployment.pk
    assert result["smoke"] == "passed" and result["digest"] == DIGEST
    assert deployment.status == Deployment.Status.LIVE
    assert deployment.details["webhook"] == system.url
    assert Environment.objects.get(name="production").current_id == deployment.pk
    assert Deployment.objects.count() == 1  # the report settled the waiting one


def test_a_report_the_policy_refuses_fails_the_deployment_and_keeps_the_refusal(handover, member):
    deployment, cd_system = handover
    cd_system()  # no run packaged the artifact: the policy refuses the report

    ok, result, message, deployment = carry_out(deployment, member)

    assert not ok and result["smoke"] == "failed"
    assert "The CD system's report was not accepted: No run of orders packaged" in message
    assert deployment.status == Deployment.Status.REFUSED
    assert PolicyViolation.objects.get().deployment_id == deployment.pk
    assert Environment.objects.get(name="production").current_id is None


def test_no_report_in_time_fails_the_deployment(handover, member, settings):
    settings.KEEL_DELIVERY_WEBHOOK_REPORT_SECONDS = 0.5
    deployment, cd_system = handover
    system = cd_system(reports=False)

    ok, _, message, deployment = carry_out(deployment, member)

    assert not ok and len(system.received) == 1
    assert "reported no service.deployed for sha256:aaaaaaaaaaaa in production within 0.5 s" in (
        message
    )
    assert deployment.status == Deployment.Status.FAILED
