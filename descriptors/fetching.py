"""Reading descriptors and definitions over HTTP: only from allowed hosts, with a timeout and
a size cap, and never following a redirect to another host (a redirect is how an allowed host
could hand the request, and what it carries, to a host nobody allowed)."""

import time
from collections.abc import Callable, Iterable

import httpx

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5


class FetchError(Exception):
    """A URL that was not read, with the reason."""


def _host(url: httpx.URL) -> str:
    return (url.host or "").lower()


def make_fetch(
    allowed_hosts: Iterable[str],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    transport: httpx.BaseTransport | None = None,
) -> Callable[[str], bytes]:
    """A ``fetch(url) -> bytes`` that raises ``FetchError`` for a host not in ``allowed_hosts``,
    a redirect to another host, an answer other than 200, more than ``max_bytes``, or more than
    ``timeout`` seconds in all. ``transport`` is for tests (``httpx.MockTransport``)."""
    hosts = frozenset(host.lower() for host in allowed_hosts)

    def fetch(address: str) -> bytes:
        deadline = time.monotonic() + timeout
        try:
            url = httpx.URL(address)
        except httpx.InvalidURL as error:
            raise FetchError(f"{address} is not a URL: {error}") from None
        with httpx.Client(transport=transport, timeout=timeout, follow_redirects=False) as client:
            for _ in range(MAX_REDIRECTS + 1):
                if url.scheme not in ("http", "https"):
                    raise FetchError(f"{url} is not an http(s) URL")
                if _host(url) not in hosts:
                    raise FetchError(
                        f"{_host(url) or url} is not an allowed host for reading catalog files (KEEL_CATALOG_FETCH_HOSTS)"
                    )
                try:
                    with client.stream("GET", url) as response:
                        if response.is_redirect:
                            target = url.join(response.headers.get("location", ""))
                            if _host(target) != _host(url):
                                raise FetchError(
                                    f"{url} redirects to another host ({_host(target)}); redirects are followed on the same host only"
                                )
                            if url.scheme == "https" and target.scheme != "https":
                                raise FetchError(
                                    f"{url} redirects from https to {target.scheme}; not followed"
                                )
                            url = target
                            continue
                        if response.status_code != 200:
                            raise FetchError(f"{url} answered HTTP {response.status_code}")
                        declared = response.headers.get("content-length", "")
                        if declared.isdigit() and int(declared) > max_bytes:
                            raise FetchError(
                                f"{url} is {declared} bytes, more than the limit of {max_bytes}"
                            )
                        body = bytearray()
                        for chunk in response.iter_bytes():
                            body += chunk
                            if len(body) > max_bytes:
                                raise FetchError(
                                    f"{url} is more than the limit of {max_bytes} bytes"
                                )
                            if time.monotonic() > deadline:
                                raise FetchError(f"{url} took longer than {timeout:g} s")
                        return bytes(body)
                except httpx.TimeoutException:
                    raise FetchError(f"{url} did not answer within {timeout:g} s") from None
                except httpx.HTTPError as error:
                    raise FetchError(f"{url} could not be read: {error}") from None
            raise FetchError(f"{address} redirects more than {MAX_REDIRECTS} times")

    return fetch
