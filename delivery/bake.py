"""The bake stage: Keel watches the staging release before production is touched.

For the pipeline definition's bake time (``spec.bake``, see ``scaffolding.pipelines
.bake_settings``), every ``interval_seconds`` Keel checks the release's ``/healthz`` and reads
its ``/metrics`` (Prometheus text: ``http_requests_total`` by ``code`` and the
``http_request_duration_seconds`` histogram, as the HTTP template serves them). Over the window
from the first to the last scrape it computes the request count, the 5xx rate, the 429 rate
and the p99 latency — counters' increases, a counter that went down having restarted from zero,
as Prometheus' ``increase()`` does — and judges them against the thresholds. Nothing is
judged on fewer than ``min_requests`` requests (the log says so). Too many failed checks in a
row make the release unhealthy and stop the bake at once; a breach or unhealth fails the stage,
so the pipeline stops before production.

``ci/deploy.py bake`` (``scaffolding/pipeline_files/deploy.py``) judges the same way for
external CI with the standard library only; the tests run both on the same metric texts.
"""

import math
import time
from typing import TYPE_CHECKING

import httpx
from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families

from scaffolding.pipelines import bake_settings

from .models import Environment

if TYPE_CHECKING:  # stages.py imports this module to register the runner
    from .stages import Stage

REQUESTS = "http_requests_total"
DURATION = "http_request_duration_seconds"
QUANTILE = 0.99


class Unreadable(Exception):
    """A health check or a scrape that gave no usable answer, and why."""


# --- reading one scrape ------------------------------------------------------------------------


def read_metrics(text: str) -> tuple[dict, dict]:
    """``({code: requests}, {bucket upper bound: cumulative count})`` of a Prometheus text,
    summed over any other labels; other metrics are ignored."""
    requests, buckets = {}, {}
    try:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == REQUESTS:
                    code = sample.labels.get("code", "")
                    requests[code] = requests.get(code, 0) + _count(sample)
                elif sample.name == f"{DURATION}_bucket":
                    bound = _bound(sample.labels.get("le", ""))
                    buckets[bound] = buckets.get(bound, 0) + _count(sample)
    except (ValueError, TypeError, IndexError) as error:
        raise Unreadable(f"/metrics is not Prometheus text format ({error}).") from error
    return requests, buckets


def _count(sample) -> float:
    value = sample.value
    if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{sample.name} has the value {value!r}, not a count")
    return value


def _bound(text: str) -> float:
    try:
        return float(text)  # "+Inf" too
    except ValueError:
        raise ValueError(f"{DURATION}_bucket has le={text!r}, not a number") from None


# --- judging a window --------------------------------------------------------------------------


def increase(values: list[float]) -> float:
    """How much a counter grew over its scrapes; a drop means it restarted from zero."""
    grown = 0.0
    for before, after in zip(values, values[1:], strict=False):
        grown += after - before if after >= before else after
    return grown


def _increases(series: list[dict]) -> dict:
    keys = {key for values in series for key in values}
    return {key: increase([values.get(key, 0) for values in series]) for key in keys}


def quantile(q: float, buckets: dict) -> float | None:
    """Prometheus' ``histogram_quantile``: linear within the bucket the rank falls in; in the
    ``+Inf`` bucket, the highest finite bound."""
    bounds = sorted(buckets)
    if not bounds or bounds[-1] != math.inf or buckets[math.inf] <= 0:
        return None
    rank = q * buckets[math.inf]
    lower, below = 0.0, 0.0
    for bound in bounds:
        count = buckets[bound]
        if count >= rank:
            if bound == math.inf:
                return lower
            if count == below:
                return bound
            return lower + (bound - lower) * (rank - below) / (count - below)
        lower, below = bound, count
    return lower


def observe(scrapes: list[tuple[dict, dict]]) -> dict:
    """Requests, 5xx and 429 counts and rates, and the p99 latency over the scrapes."""
    codes = _increases([requests for requests, _ in scrapes])
    buckets = _increases([buckets for _, buckets in scrapes])
    total = sum(codes.values())
    errors = sum(n for code, n in codes.items() if code.startswith("5"))
    throttled = codes.get("429", 0)
    p99 = quantile(QUANTILE, buckets)
    return {
        "requests": round(total),
        "errors": round(errors),
        "throttled": round(throttled),
        "error_rate": round(errors / total, 6) if total else None,
        "throttle_rate": round(throttled / total, 6) if total else None,
        "p99_ms": round(p99 * 1000, 3) if p99 is not None else None,
        "scrapes": len(scrapes),
    }


def breaches(observed: dict, thresholds: dict) -> list[str]:
    """One sentence per threshold the window broke; nothing below ``min_requests``."""
    if observed["requests"] < thresholds["min_requests"]:
        return []
    found = []
    for name, what in (("error_rate", "5xx"), ("throttle_rate", "429")):
        if observed[name] is not None and observed[name] > thresholds[name]:
            found.append(
                f"The {what} rate was {observed[name]:.2%} of {observed['requests']} requests, "
                f"above the threshold of {thresholds[name]:.2%}."
            )
    if observed["p99_ms"] is not None and observed["p99_ms"] > thresholds["p99_ms"]:
        found.append(
            f"The p99 latency was {observed['p99_ms']:g} ms, above the threshold of "
            f"{thresholds['p99_ms']:g} ms."
        )
    return found


def summary(observed: dict) -> str:
    if not observed["requests"]:
        return "0 requests"
    p99 = "n/a" if observed["p99_ms"] is None else f"{observed['p99_ms']:g} ms"
    return (
        f"{observed['requests']} requests · 5xx {observed['error_rate']:.2%} · "
        f"429 {observed['throttle_rate']:.2%} · p99 {p99}"
    )


# --- the stage ---------------------------------------------------------------------------------


def fetch(client: httpx.Client, url: str) -> bytes:
    """The body of a 200 answer to GET ``url``, within the size and time bounds."""
    limit, seconds = (
        settings.KEEL_DELIVERY_BAKE_METRICS_BYTES,
        settings.KEEL_DELIVERY_BAKE_REQUEST_SECONDS,
    )
    deadline = time.monotonic() + seconds
    try:
        with client.stream("GET", url, headers={"Accept-Encoding": "identity"}) as reply:
            if reply.status_code != 200:
                raise Unreadable(f"{url} answered {reply.status_code}.")
            body = bytearray()
            for chunk in reply.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise Unreadable(f"{url} answered more than {limit} bytes.")
                if time.monotonic() > deadline:
                    raise Unreadable(f"{url} took longer than {seconds:g} s to answer.")
            return bytes(body)
    except httpx.TimeoutException as error:
        raise Unreadable(f"{url} took longer than {seconds:g} s to answer.") from error
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        raise Unreadable(
            f"{url} could not be reached ({error or type(error).__name__})."
        ) from error


def next_check(started: float, now: float, interval: float, deadline: float) -> float:
    """The next tick of the interval from the start (a slow check does not shift the rest),
    the last one at the deadline."""
    return min(deadline, started + interval * (math.floor((now - started) / interval) + 1))


def release_url(stage: "Stage") -> tuple[str, str]:
    """The environment the stage bakes and the base URL of the release serving there."""
    from .stages import StageFailed

    name = (
        stage.pipeline.stages.filter(name=stage.stage.name)
        .values_list("environment", flat=True)
        .first()
    ) or "staging"
    environment = (
        Environment.objects.filter(pipeline=stage.pipeline, name=name)
        .select_related("current")
        .first()
    )
    if environment is None or environment.current is None or not environment.current.url:
        raise StageFailed(f"Nothing serves in {name}, so there is nothing to bake.")
    return name, environment.current.url.rstrip("/")


def check(client: httpx.Client, url: str) -> tuple[dict, dict]:
    """One check: ``/healthz`` answers 200 and ``/metrics`` is readable; its figures."""
    fetch(client, f"{url}/healthz")
    try:
        text = fetch(client, f"{url}/metrics").decode("utf-8")
    except UnicodeDecodeError:
        raise Unreadable("/metrics is not UTF-8 text.") from None
    return read_metrics(text)


class Watch:
    """One bake: the scrapes so far, what they show, and the result it records."""

    def __init__(self, thresholds: dict):
        self.thresholds = thresholds
        self.scrapes: list[tuple[dict, dict]] = []
        self.observed = observe([])
        self.started = time.monotonic()

    def add(self, scrape: tuple[dict, dict]) -> None:
        self.scrapes.append(scrape)
        self.observed = observe(self.scrapes)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def result(self, verdict: str, found: list[str]) -> dict:
        judged = self.observed["requests"] >= self.thresholds["min_requests"]
        return {
            "verdict": verdict,
            "seconds": round(self.elapsed(), 1),
            "thresholds": self.thresholds,
            "observed": {**self.observed, "rates_judged": judged},
            "breaches": found,
        }


def bake(stage: "Stage") -> dict:
    from .stages import StageFailed

    spec = bake_settings(stage.pipeline.definition)
    thresholds, interval = spec["thresholds"], spec["interval_seconds"]
    name, url = release_url(stage)
    allowed = settings.KEEL_DELIVERY_BAKE_HEALTH_FAILURES
    stage.note(
        f"Baking {name} ({url}) for {spec['seconds']:g} s, checking every {interval:g} s: "
        f"5xx ≤ {thresholds['error_rate']:.2%}, 429 ≤ {thresholds['throttle_rate']:.2%}, "
        f"p99 ≤ {thresholds['p99_ms']:g} ms (rates judged from {thresholds['min_requests']} "
        f"requests on); {allowed} failed checks in a row make it unhealthy."
    )
    timeout = httpx.Timeout(settings.KEEL_DELIVERY_BAKE_REQUEST_SECONDS)
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        watch, failed = Watch(thresholds), 0
        deadline = watch.started + spec["seconds"]
        while True:
            at = f"[{watch.elapsed():6.1f} s]"
            try:
                watch.add(check(client, url))
            except Unreadable as error:
                failed += 1
                stage.note(f"{at} check failed ({failed} of {allowed} in a row): {error}")
                if failed >= allowed:
                    sentence = f"The release failed {failed} checks in a row; the last: {error}"
                    stage.note(f"Unhealthy: {sentence}")
                    result = watch.result("unhealthy", [sentence])
                    raise StageFailed(sentence, result=result) from error
            else:
                failed = 0
                stage.note(f"{at} healthy · {summary(watch.observed)}")
            now = time.monotonic()
            if now >= deadline:
                break
            time.sleep(next_check(watch.started, now, interval, deadline) - now)

    observed = watch.observed
    if observed["requests"] < thresholds["min_requests"]:
        stage.note(
            f"Only {observed['requests']} requests in the bake window, fewer than "
            f"{thresholds['min_requests']}: the 5xx, 429 and latency figures are not judged."
        )
    found = breaches(observed, thresholds)
    if found:
        for sentence in found:
            stage.note(f"Breach: {sentence}")
        raise StageFailed(" ".join(found), result=watch.result("breached", found))
    stage.note(f"Baked {spec['seconds']:g} s: {summary(observed)}, within the thresholds.")
    return watch.result("passed", [])
