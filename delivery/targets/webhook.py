"""The webhook deployment target: hands a release to an external CD system (Argo CD, a
Kubernetes operator, a cloud service) by POSTing a signed JSON description of it to the
environment's ``url`` (``spec.environments.<name>.url`` of the pipeline definition, or the
environment's stored ``config.url``). The Deployment stays ``deploying`` until the CD system
reports ``service.deployed`` (or ``service.upgraded``) for that environment and digest to
``/api/v1/delivery/events/``: ``delivery.reports`` alone decides it live (the policy agreeing)
or refused, and ``Webhook.ready`` waits (``KEEL_DELIVERY_WEBHOOK_REPORT_SECONDS``) for that
decision; ``delivery.deployments.settle`` keeps what the report decided.

The body is signed as CDEvents sent to Keel are (``delivery.signing``, the pipeline's events
secret), so the receiver checks it came from Keel with the secret it reports back with.
"""

import json
import time

import httpx
from django.conf import settings

from .. import signing
from ..models import Deployment, EventSecret
from . import DeployFailed

POLL_SECONDS = 0.2


class WebhookFailed(DeployFailed):
    """The CD system did not take the release (unreachable, or an answer other than 2xx)."""


def target_url(environment) -> str:
    spec = (environment.pipeline.definition or {}).get("spec") or {}
    declared = ((spec.get("environments") or {}).get(environment.name) or {}).get("url")
    url = declared if isinstance(declared, str) else (environment.config or {}).get("url", "")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise WebhookFailed(f"The {environment.name} environment has no http(s) webhook url.")
    return url


def payload(deployment) -> dict:
    env = deployment.environment
    return {
        "deployment": deployment.pk,
        "pipeline": env.pipeline.slug,
        "environment": env.name,
        "artifact": {"digest": f"sha256:{deployment.artifact_digest}"},
        "commit": deployment.commit_sha,
        "version": deployment.version,
        "report_to": f"{settings.KEEL_BASE_URL.rstrip('/')}/api/v1/delivery/events/",
    }


def deploy(deployment, *, transport: httpx.BaseTransport | None = None) -> None:
    """POST the release to the environment's webhook; raise ``WebhookFailed`` unless it
    answers 2xx within ``KEEL_DELIVERY_WEBHOOK_SECONDS``. ``transport``: httpx's seam."""
    env = deployment.environment
    url = target_url(env)
    secret = (
        EventSecret.objects.filter(pipeline_id=env.pipeline_id)
        .values_list("secret", flat=True)
        .first()
    )
    if not secret:
        raise WebhookFailed(f"{env.pipeline.slug} has no events secret to sign the webhook with.")
    body = json.dumps(payload(deployment), sort_keys=True).encode()
    headers = {"Content-Type": "application/json", "X-Keel-Pipeline": env.pipeline.slug,
               **signing.headers(secret, body)}  # fmt: skip
    try:
        with httpx.Client(timeout=settings.KEEL_DELIVERY_WEBHOOK_SECONDS, transport=transport,
                          follow_redirects=False) as client:  # fmt: skip
            response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as error:
        raise WebhookFailed(f"The webhook {url} could not be reached: {error}") from error
    if not 200 <= response.status_code < 300:
        raise WebhookFailed(
            f"The webhook {url} answered {response.status_code}: {response.text[:200]}"
        )


class Webhook:
    """The target of ``targets.registry()``: the CD system runs and supervises the release,
    so there is nothing of Keel's to stop, restart or watch."""

    def __init__(self, environment):
        self.environment = environment

    def start(self, deployment) -> dict:
        deploy(deployment)
        return {"url": "", "webhook": target_url(self.environment)}

    def ready(self, deployment) -> None:
        """Wait until the CD system's report has settled ``deployment``: live returns, refused
        (or failed) raises with the recorded reasons, no report in time raises."""
        seconds = settings.KEEL_DELIVERY_WEBHOOK_REPORT_SECONDS
        deadline = time.monotonic() + seconds
        while True:
            status, message = (
                Deployment.objects.filter(pk=deployment.pk).values_list("status", "message").get()
            )
            if status == Deployment.Status.LIVE:
                return
            if status != Deployment.Status.DEPLOYING:
                raise DeployFailed(f"The CD system's report was not accepted: {message}")
            if time.monotonic() >= deadline:
                raise DeployFailed(
                    f"The CD system reported no service.deployed for sha256:"
                    f"{deployment.artifact_digest[:12]} in {self.environment.name} within "
                    f"{seconds:g} s."
                )
            time.sleep(POLL_SECONDS)

    def alive(self, deployment) -> None:
        return None  # the CD system supervises what it runs

    def stop(self, deployment) -> None:
        return None  # the CD system's next release replaces this one

    def restore(self, deployment) -> None:
        return None  # the CD system keeps its last good release; it reports rollbacks itself
