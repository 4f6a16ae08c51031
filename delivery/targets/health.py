"""A release's health check: ``GET <url>/healthz`` answered 200. No proxy is asked (the
embedded releases listen on loopback), at most a few kilobytes of the answer are read, and
each request has its own short timeout inside the overall one."""

import time
import urllib.error
import urllib.request

HEALTH_PATH = "/healthz"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def probe(url: str, *, timeout: float = 2.0) -> tuple[bool, str]:
    """One health check of the release serving at ``url``: (healthy, what was seen)."""
    target = url.rstrip("/") + HEALTH_PATH
    try:
        with _OPENER.open(target, timeout=timeout) as response:
            response.read(4096)
            return response.status == 200, f"{target} answered {response.status}"
    except urllib.error.HTTPError as error:
        return False, f"{target} answered {error.code}"
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return False, f"{target} did not answer ({reason})"


def wait_healthy(url: str, *, seconds: float, running=None) -> tuple[bool, str]:
    """Check ``url`` until it answers 200 or ``seconds`` pass, or ``running()`` says the
    release's process has ended (no point waiting for it)."""
    deadline = time.monotonic() + seconds
    seen = "no answer yet"
    while True:
        healthy, seen = probe(url, timeout=max(min(2.0, deadline - time.monotonic()), 0.1))
        if healthy:
            return True, seen
        if running is not None and not running():
            return False, f"the process exited ({seen})"
        if time.monotonic() >= deadline:
            return False, f"not healthy within {seconds:g} s: {seen}"
        time.sleep(0.1)
