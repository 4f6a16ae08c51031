"""Bad API tokens and git passwords from one client address: 429 for the rest of a window.

Each refused token adds one to a counter in the cache, keyed by the client's address and a
fixed window (``KEEL_BAD_TOKEN_WINDOW_SECONDS``); once it reaches ``KEEL_BAD_TOKEN_LIMIT``,
every token from that address is answered with 429 and ``Retry-After`` until the window ends,
valid ones included, so guessing cannot go on between refusals. The counters live in the
shared cache (``CACHE_URL``); with the default per-process memory cache each web process
counts on its own, which still bounds guessing to the limit times the number of processes.
"""

import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass
class TooManyFailures(Exception):
    retry_after: int

    message = "Too many refused tokens from your address."


def client_address(request) -> str | None:
    """The client's IP address: ``REMOTE_ADDR``, or the entry that the last of
    ``KEEL_TRUSTED_PROXY_COUNT`` reverse proxies appended to ``X-Forwarded-For`` (entries
    left of it are whatever the client sent). ``None`` when there is no valid one (a request
    made in-process). Sign-in lockouts count by the same answer."""
    proxies = settings.KEEL_TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    candidates = [request.META.get("REMOTE_ADDR", "")]
    if proxies and len(forwarded) >= proxies:
        candidates.insert(0, forwarded[-proxies])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate.strip()))
        except ValueError:
            continue
    return None


def _window() -> tuple[str, float]:
    """The current window's number and the seconds until it ends."""
    length = settings.KEEL_BAD_TOKEN_WINDOW_SECONDS
    now = time.time()
    number = int(now // length)
    return str(number), (number + 1) * length - now


def _key(address: str | None, window: str) -> str:
    return f"keel:bad-token:{window}:{address or 'unknown'}"


def check(address: str | None) -> None:
    """Raise ``TooManyFailures`` while ``address`` is over the limit."""
    window, remaining = _window()
    if cache.get(_key(address, window), 0) >= settings.KEEL_BAD_TOKEN_LIMIT:
        raise TooManyFailures(retry_after=max(1, math.ceil(remaining)))


def note_failure(address: str | None) -> None:
    window, _ = _window()
    key = _key(address, window)
    cache.add(key, 0, timeout=settings.KEEL_BAD_TOKEN_WINDOW_SECONDS + 1)
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=settings.KEEL_BAD_TOKEN_WINDOW_SECONDS + 1)
