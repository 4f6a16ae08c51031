"""A small JSON-over-HTTPS client for hosting APIs, and its recorded stand-in for tests.

``HttpxTransport`` is the real one: httpx with redirects off, so the ``Authorization``
header can never travel to a host it was not meant for. A redirect on the same origin (GitHub
answers 301 for a renamed repository) is followed by hand, a few hops at most; a redirect to
another origin is refused with a reason, and the token stays where it was. Replies are bounded
in size and time. ``ReplayTransport`` answers from a recording (a JSON list of
request/response pairs saved from the real API; see ``tests/scaffolding/recordings/README.md``)
and fails loudly on a request the recording does not contain, so a test proves which calls a
provider makes.
"""

import json
from dataclasses import dataclass, field

import httpx

from .base import HostingError, TransientError

MAX_REDIRECTS = 3
MAX_BODY_BYTES = 5 * 1024 * 1024


@dataclass
class Response:
    status: int
    body: object
    headers: dict = field(default_factory=dict)  # lower-case names (pagination, rate limits)


def _origin(url: httpx.URL) -> tuple:
    return (url.scheme, url.host, url.port)


class HttpxTransport:
    def __init__(self, timeout: float = 20, transport: httpx.BaseTransport | None = None):
        # ``transport`` is httpx's own seam: tests pass an ``httpx.MockTransport``.
        self.client = httpx.Client(
            timeout=timeout, follow_redirects=False, transport=transport, trust_env=False
        )

    def __call__(self, method: str, url: str, *, headers: dict, body=None) -> Response:
        target = httpx.URL(url)
        for _ in range(MAX_REDIRECTS + 1):
            status, raw, reply_headers = self._send(method, target, headers, body)
            if status not in (301, 302, 303, 307, 308):
                return Response(status, _parse(raw), reply_headers)
            location = reply_headers.get("location")
            if not location:
                raise HostingError(f"{method} {url} answered {status} without a Location.")
            following = target.join(location)
            if _origin(following) != _origin(target):
                raise HostingError(
                    f"{method} {url} was redirected to another host ({following.host}); Keel "
                    "does not send its hosting token there. Check the provider's API URL setting."
                )
            target = following
            if status == 303:  # "see other": read it
                method, body = "GET", None
        raise HostingError(f"{method} {url} was redirected more than {MAX_REDIRECTS} times.")

    def _send(self, method, url, headers, body):
        try:
            with self.client.stream(method, url, headers=headers, json=body) as reply:
                raw = bytearray()
                for chunk in reply.iter_bytes():
                    raw += chunk
                    if len(raw) > MAX_BODY_BYTES:
                        raise HostingError(
                            f"{method} {url} answered more than {MAX_BODY_BYTES} bytes."
                        )
                return reply.status_code, bytes(raw), dict(reply.headers.items())
        except httpx.TransportError as error:  # connection, timeout, protocol: worth a retry
            raise TransientError(f"{method} {url} failed: {error}") from error


def _parse(raw: bytes):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode(errors="replace")


class ReplayTransport:
    """Replays a recording in order; every request must match the next recorded one."""

    def __init__(self, interactions: list[dict]):
        self.interactions = list(interactions)
        self.requests: list[tuple[str, str, object]] = []

    @classmethod
    def from_file(cls, path):
        with open(path) as f:
            return cls(json.load(f)["interactions"])

    def __call__(self, method, url, *, headers, body=None):
        self.requests.append((method, url, body))
        if not self.interactions:
            raise AssertionError(f"Unrecorded request: {method} {url}")
        expected = self.interactions.pop(0)
        req = expected["request"]
        if (req["method"], req["url"]) != (method, url):
            raise AssertionError(f"Expected {req['method']} {req['url']}, got {method} {url}")
        for key, value in (req.get("body") or {}).items():
            if (body or {}).get(key) != value:
                raise AssertionError(f"Request body {key}={body.get(key)!r}, recorded {value!r}")
        if "authorization" not in {h.lower() for h in headers}:
            raise AssertionError("The request carried no token.")
        recorded = expected["response"]
        headers = {name.lower(): value for name, value in recorded.get("headers", {}).items()}
        return Response(recorded["status"], recorded.get("body"), headers)
