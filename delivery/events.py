"""The one webhook external CI/CD systems post CDEvents to: ``POST /api/v1/delivery/events/``.

The pipeline is named by the ``X-Keel-Pipeline`` header; the body is signed with the
pipeline's events secret (``delivery.signing``). Every refusal changes nothing:

- 413 a body over ``KEEL_DELIVERY_EVENT_MAX_BYTES``; 401 unsigned or outside the time window;
- 403 a signature that does not verify, or a pipeline that is unknown or has no secret (the
  same answer, so the endpoint tells a stranger nothing about which pipelines exist);
- 400 malformed JSON or an event Keel cannot apply, with the reason by field;
- 409 an event id accepted before (a replay) or a run already running.

A deployment report the policy refuses is answered 422 with the reasons: it *is* recorded (a
refused Deployment and a PolicyViolation), since recording it is the point.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.api.exceptions import CONFLICT, validation_error_data
from scaffolding.models import Pipeline

from . import actions, cdevents, signing
from .models import EventSecret

PIPELINE_HEADER = "X-Keel-Pipeline"


def _refused(status: int, reason: str, errors: dict | None = None) -> JsonResponse:
    return JsonResponse({"detail": reason, **({"errors": errors} if errors else {})}, status=status)


def _body(request) -> bytes | None:
    """The raw body, or None when it is larger than allowed (read no further than that)."""
    limit = settings.KEEL_DELIVERY_EVENT_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


@csrf_exempt
@require_POST
def receive(request):
    body = _body(request)
    if body is None:
        limit = settings.KEEL_DELIVERY_EVENT_MAX_BYTES
        return _refused(413, f"The body is larger than {limit} bytes.")
    slug = (request.headers.get(PIPELINE_HEADER) or "").strip()
    stored = (
        EventSecret.objects.select_related("pipeline").filter(pipeline__slug__iexact=slug).first()
        if slug and len(slug) <= 100
        else None
    )
    try:
        if not slug:
            raise signing.SignatureError(401, f"Name the pipeline in {PIPELINE_HEADER}.")
        signing.verify(
            stored.secret if stored else None,
            request.headers.get(signing.TIMESTAMP_HEADER),
            request.headers.get(signing.SIGNATURE_HEADER),
            body,
        )
    except signing.SignatureError as error:
        return _refused(error.status, error.reason)
    try:
        event = cdevents.parse(body)
        outcome = actions.receive_event(Pipeline.objects.get(pk=stored.pipeline_id), event)
    except actions.Replayed:
        return _refused(409, "This event id was received already; nothing changed.")
    except ValidationError as error:
        status = 409 if getattr(error, "code", None) == CONFLICT else 400
        errors = validation_error_data(error)
        return _refused(status, "The event was not applied; nothing changed.", errors)
    answer = {
        "event": event.id,
        "type": event.kind,
        "effect": outcome.effect,
        "run": outcome.run.number if outcome.run else None,
        "deployment": outcome.deployment.pk if outcome.deployment else None,
    }
    if outcome.refused:
        return JsonResponse({**answer, "refused": True, "reasons": outcome.reasons}, status=422)
    return JsonResponse({**answer, "refused": False}, status=202)
