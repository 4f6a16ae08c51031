"""How a webhook body is signed, and how its receiver checks it.

``X-Keel-Timestamp`` is the sending time (Unix seconds) and ``X-Keel-Signature`` is
``sha256=`` followed by the hex HMAC-SHA256, under the team's secret, of the timestamp, a dot
and the raw body. Signing the timestamp with the body lets a receiver refuse a replayed
request: a signature is only good for the time it names.
"""

import hashlib
import hmac

SIGNATURE_HEADER = "X-Keel-Signature"
TIMESTAMP_HEADER = "X-Keel-Timestamp"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str, *, now: float, tolerance=300):
    """Whether ``header`` signs ``body`` at ``timestamp`` under ``secret``, sent within
    ``tolerance`` seconds of ``now``: what a receiver does (constant-time comparison)."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now - sent) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, sent, body).encode(), (header or "").encode())
