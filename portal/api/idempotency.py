"""``Idempotency-Key`` on create requests: a client that lost the answer to a POST sends it
again with the same key and gets the original answer (status and body) instead of a second
service or scaffold run; the same key with a different request gets 409.

The store is a database row, written in the same transaction as the create it answers: the
row is claimed (inserted) first, the create runs, and the response is saved on the row before
the commit, so a crash leaves either both or neither, and a concurrent request with the same
key waits on the row's unique index until the first one commits (PostgreSQL), then replays its
answer. Only successful answers are kept: a refused request (400, 403) writes nothing, so it
can be corrected and sent again with the same key. Keys belong to one user and expire after
``KEEL_IDEMPOTENCY_KEY_SECONDS`` (a day by default); a client sends a fresh key (a UUID) per
logical request.
"""

import hashlib
import json
import re
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.response import Response

HEADER = "Idempotency-Key"
_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, no spaces: UUIDs and the like

PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    description=(
        "A unique key (a UUID) for this request: sending it again returns the first answer "
        "instead of creating twice; the same key with another request is a 409."
    ),
)

CONFLICT = OpenApiResponse(description=f"The {HEADER} was used for a different request.")


class IdempotencyKey(models.Model):
    """The answer given to one user's create request sent with an ``Idempotency-Key``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "portal"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                name="portal_idempotency_key_unique_per_user",
                violation_error_message="This Idempotency-Key was already used.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"


def fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _refused(message: str, code: int) -> Response:
    return Response({"detail": message}, status=code)


def _replay(stored: IdempotencyKey, print_: str) -> Response:
    if stored.fingerprint != print_:
        return _refused(
            f"The {HEADER} {stored.key!r} was used for a different request; send a new key "
            "for a new request.",
            status.HTTP_409_CONFLICT,
        )
    return Response(stored.body, status=stored.status_code, headers={"Idempotent-Replayed": "true"})


def idempotent(create):
    """Wrap a viewset's ``create`` so that an ``Idempotency-Key`` makes it answer once."""

    @wraps(create)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None or not request.user.is_authenticated:
            return create(view, request, *args, **kwargs)
        if not _KEY.fullmatch(key):
            return _refused(
                f"{HEADER} must be 1 to 255 visible ASCII characters (a UUID, for example).",
                status.HTTP_400_BAD_REQUEST,
            )
        now, print_ = timezone.now(), fingerprint(request)
        with transaction.atomic():
            IdempotencyKey.objects.filter(user=request.user, expires_at__lte=now).delete()
            try:
                with transaction.atomic():
                    claim = IdempotencyKey.objects.create(
                        user=request.user,
                        key=key,
                        fingerprint=print_,
                        expires_at=now + timedelta(seconds=settings.KEEL_IDEMPOTENCY_KEY_SECONDS),
                    )
            except IntegrityError:  # answered already (or just now, by a concurrent request)
                return _replay(IdempotencyKey.objects.get(user=request.user, key=key), print_)
            response = create(view, request, *args, **kwargs)
            if not status.is_success(response.status_code):
                claim.delete()
                return response
            claim.status_code, claim.body = response.status_code, response.data
            claim.save(update_fields=["status_code", "body"])
        return response

    return wrapper
