"""Deploy, check, bake and roll back an environment; the stages of the delivery pipeline.

Keel writes this placeholder so that every stage runs from day one: it verifies the artifact
against ``dist/provenance.json`` and checks the environment's health endpoint when
``<ENVIRONMENT>_URL`` is set (e.g. ``STAGING_URL``). Replace the ``deploy`` and ``rollback``
functions with your platform's commands. Standard library only.

``bake`` watches ``/healthz`` and the Prometheus ``/metrics`` of the release and judges them as
Keel's own bake stage does (the same formulas and thresholds, from ``.keel/pipeline.yaml``'s
``spec.bake``): over the window, the 5xx and 429 rates of ``http_requests_total`` and the p99 of
``http_request_duration_seconds``, counters that went down counted as restarted from zero.
"""

import argparse
import hashlib
import json
import math
import os
import re
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUEST_SECONDS = 5
METRICS_BYTES = 1024 * 1024
SAMPLE = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?[ \t]+(\S+)(?:[ \t]+-?\d+)?")
LABEL = re.compile(r'[ \t]*([a-zA-Z_][a-zA-Z0-9_]*)[ \t]*=[ \t]*"((?:[^"\\]|\\.)*)"[ \t]*(?:,|$)')


def verify_artifact():
    provenance = json.loads((ROOT / "dist" / "provenance.json").read_text())
    artifact = ROOT / "dist" / provenance["artifact"]["file"]
    digest = hashlib.sha256(artifact.read_bytes()).hexdigest()
    if digest != provenance["artifact"]["sha256"]:
        sys.exit(f"{artifact.name}: sha256 {digest} does not match its provenance record")
    return artifact


def healthy(environment):
    url = os.environ.get(f"{environment.upper()}_URL")
    if not url:
        print(f"{environment.upper()}_URL is not set: health check skipped")
        return True
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/healthz", timeout=5) as reply:
            return reply.status == 200
    except OSError as error:
        print(f"{url}: {error}")
        return False


def deploy(environment):
    print(f"deploying {verify_artifact().name} to {environment}")


def rollback(environment):
    print(f"rolling {environment} back to the previous release")


def smoke(environment):
    if not healthy(environment):
        sys.exit(f"{environment} is not healthy after the deployment")


def read_metrics(text):
    """``({code: requests}, {bucket upper bound: cumulative count})`` of a Prometheus text;
    ValueError if it is not one."""
    requests, buckets = {}, {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.fullmatch(line)
        if not match:
            raise ValueError(f"line {number} is not a sample: {line[:80]!r}")
        name, labels, value = match.group(1), _labels(match.group(2) or ""), float(match.group(3))
        if name not in ("http_requests_total", "http_request_duration_seconds_bucket"):
            continue
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{name} has the value {value!r}, not a count")
        if name == "http_requests_total":
            code = labels.get("code", "")
            requests[code] = requests.get(code, 0) + value
        else:
            try:
                bound = float(labels.get("le", ""))
            except ValueError:
                raise ValueError(f"{name} has le={labels.get('le')!r}, not a number") from None
            buckets[bound] = buckets.get(bound, 0) + value
    return requests, buckets


def _labels(text):
    labels, position = {}, 0
    while position < len(text):
        match = LABEL.match(text, position)
        if not match:
            raise ValueError(f"bad labels {text[:80]!r}")
        labels[match.group(1)] = re.sub(
            r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), match.group(2)
        )
        position = match.end()
    return labels


def increase(values):
    grown = 0.0
    for before, after in zip(values, values[1:], strict=False):
        grown += after - before if after >= before else after
    return grown


def _increases(series):
    keys = {key for values in series for key in values}
    return {key: increase([values.get(key, 0) for values in series]) for key in keys}


def quantile(q, buckets):
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


def observe(scrapes):
    codes = _increases([requests for requests, _ in scrapes])
    buckets = _increases([buckets for _, buckets in scrapes])
    total = sum(codes.values())
    errors = sum(n for code, n in codes.items() if code.startswith("5"))
    throttled = codes.get("429", 0)
    p99 = quantile(0.99, buckets)
    return {
        "requests": round(total),
        "errors": round(errors),
        "throttled": round(throttled),
        "error_rate": round(errors / total, 6) if total else None,
        "throttle_rate": round(throttled / total, 6) if total else None,
        "p99_ms": round(p99 * 1000, 3) if p99 is not None else None,
        "scrapes": len(scrapes),
    }


def breaches(observed, thresholds):
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


def fetch(url):
    with urllib.request.urlopen(url, timeout=REQUEST_SECONDS) as reply:
        body = reply.read(METRICS_BYTES + 1)
    if len(body) > METRICS_BYTES:
        raise ValueError(f"{url} answered more than {METRICS_BYTES} bytes")
    return body


def bake(environment, seconds, interval, thresholds, allowed_failures=3):
    url = os.environ.get(f"{environment.upper()}_URL", "").rstrip("/")
    if not url:
        print(f"{environment.upper()}_URL is not set: bake skipped")
        return
    started = time.monotonic()
    scrapes, failed, observed = [], 0, observe([])
    while True:
        try:
            fetch(f"{url}/healthz")
            scrapes.append(read_metrics(fetch(f"{url}/metrics").decode("utf-8")))
        except (OSError, ValueError) as error:  # URLError, HTTPError, timeouts, bad text
            failed += 1
            print(f"check failed ({failed} of {allowed_failures} in a row): {error}")
            if failed >= allowed_failures:
                sys.exit(f"{environment} failed {failed} checks in a row: stopping the pipeline")
        else:
            failed, observed = 0, observe(scrapes)
            print(f"[{time.monotonic() - started:6.1f} s] healthy: {json.dumps(observed)}")
        now, deadline = time.monotonic(), started + seconds
        if now >= deadline:
            break
        ticks = math.floor((now - started) / interval) + 1  # keep the cadence from the start
        time.sleep(min(deadline, started + interval * ticks) - now)
    if observed["requests"] < thresholds["min_requests"]:
        print(f"only {observed['requests']} requests: rates and latency not judged")
    found = breaches(observed, thresholds)
    if found:
        sys.exit(" ".join(found) + " Stopping the pipeline.")
    print(f"{environment} baked {seconds:g} s within the thresholds")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["deploy", "smoke", "bake", "rollback"])
    parser.add_argument("--environment", required=True, choices=["staging", "production"])
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--interval", type=float, default=5)
    parser.add_argument("--error-rate", type=float, default=0.01)
    parser.add_argument("--throttle-rate", type=float, default=0.05)
    parser.add_argument("--p99-ms", type=float, default=500)
    parser.add_argument("--min-requests", type=int, default=20)
    args = parser.parse_args()
    if args.action == "bake":
        thresholds = {
            "error_rate": args.error_rate,
            "throttle_rate": args.throttle_rate,
            "p99_ms": args.p99_ms,
            "min_requests": args.min_requests,
        }
        bake(args.environment, args.seconds, args.interval, thresholds)
    else:
        {"deploy": deploy, "smoke": smoke, "rollback": rollback}[args.action](args.environment)


if __name__ == "__main__":
    main()
