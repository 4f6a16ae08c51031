"""HMAC-SHA256 signatures of the JSON Keel and external CI/CD systems exchange.

The signature covers ``<timestamp>.<raw body>``: a captured request cannot be sent again
later with a new time (the window bounds it, and a CDEvent's id is accepted once).
"""

import hashlib
import hmac
import time

from django.conf import settings

SIGNATURE_HEADER = "X-Keel-Signature"
TIMESTAMP_HEADER = "X-Keel-Timestamp"


class SignatureError(Exception):
    """A request Keel cannot trust: ``status`` 401 (unsigned, or outside the window) or 403
    (signed, but not with the secret)."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def headers(secret: str, body: bytes, now: float | None = None) -> dict:
    """The headers that sign ``body`` now."""
    timestamp = str(int(time.time() if now is None else now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)}


def verify(secret: str | None, timestamp: str | None, signed: str | None, body: bytes) -> None:
    """Raise ``SignatureError`` unless ``signed`` is the signature of ``body`` at
    ``timestamp`` by ``secret``, within ``KEEL_DELIVERY_EVENT_WINDOW_SECONDS`` of now."""
    if not timestamp or not signed:
        raise SignatureError(401, f"Sign the request: {TIMESTAMP_HEADER} and {SIGNATURE_HEADER}.")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureError(401, f"{TIMESTAMP_HEADER} is the Unix time in seconds.")
    if abs(time.time() - int(timestamp)) > settings.KEEL_DELIVERY_EVENT_WINDOW_SECONDS:
        raise SignatureError(401, f"{TIMESTAMP_HEADER} is too far from now: sign it again.")
    if secret is None or not hmac.compare_digest(signature(secret, timestamp, body), signed):
        raise SignatureError(403, "The signature does not match this pipeline's events secret.")
