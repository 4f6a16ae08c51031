"""Latency, SQL query counts and throughput of the catalog's read APIs, against a live server.

Run it with the same environment as the server (``DATABASE_URL`` and the ``DJANGO_*``
variables; see benchmarks/README.md): the script reads the catalog directly to pick its
targets (the most depended-on service for the blast radius, a sample of API providers for
detail pages), and counts SQL queries in-process, by replaying one request of each kind
through Django's test ``Client`` inside ``CaptureQueriesContext`` against the same database.
A live server cannot report its query count without debug hooks, and the count does not
depend on which process answers. Latency and throughput are measured over HTTP only, with the
standard library (keep-alive ``http.client`` connections, one per thread).

Prints one JSON document. Figures are printed, never asserted (see DESIGN.md, test tiers).
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

GRAPHQL_QUERY = """
query BenchServices {
  services(first: 100) {
    edges {
      node {
        slug
        name
        ownerTeam { slug members { role user { username } } }
        providedApis { slug type }
        dependencies { depth service { slug } }
      }
    }
  }
}
"""


# A query parameter the API ignores, numbered so that every request is a distinct URL (and a
# numbered GraphQL operation name, a distinct document): there are no response caches any more,
# but figures stay comparable with runs from when there were.
MISS = "&uncached="


class Connection:
    """One keep-alive HTTP connection that sends the API token with every request."""

    def __init__(self, base_url: str, token: str):
        parts = urlsplit(base_url)
        self.prefix = parts.path.rstrip("/")
        self.http = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=120)
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}

    def send(self, request: tuple[str, str, str | None]) -> bytes:
        method, path, body = request
        headers = {**self.headers, **({"Content-Type": "application/json"} if body else {})}
        self.http.request(method, self.prefix + path, body=body, headers=headers)
        response = self.http.getresponse()
        data = response.read()
        if response.status != 200:
            raise RuntimeError(f"{method} {path}: HTTP {response.status}: {data[:300]!r}")
        if b'"errors"' in data[:20]:
            raise RuntimeError(f"{method} {path}: {data[:300]!r}")
        return data


def latency(conn: Connection, requests: list, count: int, warmup: int = 3) -> dict:
    """Median and 95th percentile of ``count`` sequential requests, cycling through
    ``requests`` (one or several targets of the same kind)."""
    for i in range(warmup):
        conn.send(requests[i % len(requests)])
    times = []
    for i in range(count):
        started = time.perf_counter()
        conn.send(requests[(warmup + i) % len(requests)])
        times.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(statistics.quantiles(times, n=20)[18], 1),
        "requests": count,
    }


def throughput(base_url: str, token: str, request, concurrency: int, seconds: float) -> float:
    """Requests per second with ``concurrency`` threads sending back to back."""
    done, errors = [0] * concurrency, []
    deadline = time.perf_counter() + seconds

    def worker(slot: int) -> None:
        conn = Connection(base_url, token)
        try:
            conn.send(request)  # connect and warm up before counting
            while time.perf_counter() < deadline:
                conn.send(request)
                done[slot] += 1
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return round(sum(done) / (time.perf_counter() - started), 1)


def throughput_rounds(args, listing, health) -> list[dict]:
    """Alternating windows of the list and of ``/healthz``. On a shared two-core machine
    throughput drifts by tens of percent from one window to the next, so each share is taken
    between neighbouring windows and the median of the rounds is reported."""
    return [
        {
            "list": throughput(args.base_url, args.token, listing, args.concurrency, args.seconds),
            "healthz": throughput(
                args.base_url, args.token, health, args.concurrency, args.seconds
            ),
        }
        for _ in range(args.rounds)
    ]


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def targets(samples: int) -> dict:
    """What to ask for: the most depended-on service, and API providers for detail pages."""
    from django.db.models import Count

    from catalog.models import Dependency, Service

    hub = (
        Dependency.objects.filter(target_service__isnull=False)
        .values("target_service__slug")
        .annotate(dependents=Count("id"))
        .order_by("-dependents")
        .first()
    )
    providers = Service.objects.filter(provided_apis__isnull=False).order_by("?")[:samples]
    return {
        "services": Service.objects.count(),
        "dependencies": Dependency.objects.count(),
        "hub": hub["target_service__slug"],
        "hub_direct_dependents": hub["dependents"],
        "detail": list(providers.values_list("slug", flat=True)),
    }


def query_count(token: str, host: str, batch: list) -> int:
    """SQL queries of the last request of ``batch``, replayed in-process after its first one:
    for a batch of one request that is the cached steady state; for a batch of distinct
    requests (the uncached measurements), a request nothing has answered before."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST=host)

    def send(request):
        method, path, body = request
        if method == "GET":
            return client.get(path)
        return client.post(path, data=body, content_type="application/json")

    send(batch[0])
    with CaptureQueriesContext(connection) as captured:
        response = send(batch[-1])
    if response.status_code != 200:
        raise RuntimeError(f"in-process {batch[-1][0]} {batch[-1][1]}: HTTP {response.status_code}")
    return len(captured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--base-url", default=os.environ.get("KEEL_BENCH_URL", "http://127.0.0.1:8765")
    )
    parser.add_argument("--token", default=os.environ.get("KEEL_BENCH_TOKEN"))
    parser.add_argument("--requests", type=int, default=50, help="Timed requests per measurement.")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--seconds", type=float, default=4, help="Duration of each throughput window."
    )
    parser.add_argument(
        "--rounds", type=int, default=7, help="Alternating list and /healthz windows."
    )
    args = parser.parse_args()
    if not args.token:
        parser.error(
            "pass --token or set KEEL_BENCH_TOKEN (manage.py create_token <user> --name NAME)"
        )

    setup_django()
    found = targets(samples=20)
    graphql = ("POST", "/graphql/", json.dumps({"query": GRAPHQL_QUERY}))
    graphql_uncached = [
        (
            "POST",
            "/graphql/",
            json.dumps({"query": GRAPHQL_QUERY.replace("BenchServices", f"BenchServices{i}")}),
        )
        for i in range(args.requests + 3)
    ]
    uncached = [
        ("GET", f"/api/v1/services/?page_size=100{MISS}{i}", None) for i in range(args.requests + 3)
    ]
    requests = {
        "service_list": [("GET", "/api/v1/services/?page_size=100", None)],
        "service_list_uncached": uncached,
        "service_detail": [("GET", f"/api/v1/services/{slug}/", None) for slug in found["detail"]],
        "graphql_services": [graphql],
        "graphql_services_uncached": graphql_uncached,
        "blast_radius": [("GET", f"/api/v1/services/{found['hub']}/blast-radius/", None)],
    }
    conn = Connection(args.base_url, args.token)
    host = urlsplit(args.base_url).hostname
    results: dict = {"server": args.base_url, "catalog": found}
    for name, batch in requests.items():
        results[name] = {
            "path": batch[0][1] if len(batch) == 1 else f"{len(batch)} distinct requests",
            **latency(conn, batch, args.requests),
            "queries": query_count(args.token, host, batch),
        }
    rounds = throughput_rounds(args, requests["service_list"][0], ("GET", "/healthz", None))
    at = f"rps_at_concurrency_{args.concurrency}"
    results["service_list"][at] = statistics.median(r["list"] for r in rounds)
    results[f"healthz_{at}"] = statistics.median(r["healthz"] for r in rounds)
    shares = [r["list"] / r["healthz"] for r in rounds]
    results["service_list_share_of_ceiling"] = round(statistics.median(shares), 2)
    results["service_list_share_by_round"] = [round(share, 2) for share in shares]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
