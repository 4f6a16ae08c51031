"""A tiny JSON-over-HTTPS client for hosting APIs, and its recorded stand-in for tests.

``UrllibTransport`` is the real one (standard library, timeouts, no redirects to other
hosts). ``ReplayTransport`` answers from a recording (a JSON list of request/response pairs
saved from the real API; see ``tests/scaffolding/recordings/README.md``) and fails loudly on
a request the recording does not contain, so a test proves which calls a provider makes.
"""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from .base import TransientError


@dataclass
class Response:
    status: int
    body: object


class UrllibTransport:
    def __init__(self, timeout: float = 20):
        self.timeout = timeout

    def __call__(self, method: str, url: str, *, headers: dict, body=None) -> Response:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:  # noqa: S310
                raw = reply.read()
                status = reply.status
        except urllib.error.HTTPError as error:
            raw, status = error.read(), error.code
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            raise TransientError(f"{method} {url} failed: {error}") from error
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        return Response(status, parsed)


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
        return Response(expected["response"]["status"], expected["response"].get("body"))
