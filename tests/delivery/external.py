"""Helpers of the external-delivery tests: a pipeline with an events secret, CDEvents built
as external CI/CD systems send them, and runs whose stages passed."""

import json
import uuid

from delivery import actions
from delivery.models import PipelineRun, StageRun
from delivery.signing import headers
from portal.models import Interface

DIGEST = "a" * 64
OTHER = "b" * 64
COMMIT = "c" * 40


def cdevent(kind: str, subject_id: str = "gh-1", content=None, custom=None, event_id=None) -> dict:
    subject, predicate = kind.split(".")
    event = {
        "context": {
            "version": "0.4.1",
            "id": event_id or str(uuid.uuid4()),
            "source": "https://github.com/acme/orders/actions",
            "type": f"dev.cdevents.{subject}.{predicate}.0.2.0",
            "timestamp": "2026-12-01T22:00:00Z",
        },
        "subject": {"id": subject_id, "content": content or {}},
    }
    if custom is not None:
        event["customData"] = custom
    return event


def post(client, pipeline_slug: str, secret: str, event, *, body: bytes | None = None, **extra):
    body = json.dumps(event).encode() if body is None else body
    signed = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers(secret, body).items()}
    return client.post(
        "/api/v1/delivery/events/",
        data=body,
        content_type="application/json",
        HTTP_X_KEEL_PIPELINE=pipeline_slug,
        **{**signed, **extra},
    )


def secret_for(pipeline, actor) -> str:
    return actions.rotate_event_secret(pipeline, actor=actor, via=Interface.API)


def passed_run(pipeline, digest: str = DIGEST, *, stages=None, bake="passed", number=None):
    """A finished run of ``pipeline`` that packaged ``digest``: every stage succeeded unless
    ``stages`` maps a stage to another status."""
    stages = stages or {}
    number = number or (pipeline.runs.count() + 1)
    run = PipelineRun.objects.create(
        pipeline=pipeline, number=number, trigger="manual", commit_sha=COMMIT, status="succeeded"
    )
    for position, stage in enumerate(pipeline.stages.order_by("position")):
        result = {}
        if stage.name == "package":
            result = {"artifact": digest}
        elif stage.name == "bake":
            result = {"verdict": bake}
        elif stage.environment:
            result = {"smoke": "passed", "digest": digest}
        StageRun.objects.create(
            run=run, position=position, name=stage.name,
            status=stages.get(stage.name, StageRun.Status.SUCCEEDED), result=result,
        )  # fmt: skip
    return run
