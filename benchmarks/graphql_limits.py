"""How fast a live server refuses each hostile GraphQL document, and whether /healthz stays
responsive while two clients keep sending them (issue 8, point 7).

The documents are those the tests send (``tests/graphql/hostile.py``). For each one the script
prints the round-trip time of refusing it over HTTP (median and worst of ``--requests``) and,
in-process, the time of the bounded parse and the limits check alone (``portal.graphql.limits``),
which is what a refusal costs the worker beyond Django's request handling. Run it with the
server's environment (see benchmarks/README.md); the check-only column needs the same settings.

Prints one JSON document. Figures are printed, never asserted (see DESIGN.md, test tiers).
"""

import argparse
import contextlib
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

from tests.graphql.hostile import DOCUMENTS  # noqa: E402


class Connection:
    """One keep-alive HTTP connection that sends the API token with every request."""

    def __init__(self, base_url: str, token: str):
        parts = urlsplit(base_url)
        self.prefix = parts.path.rstrip("/")
        self.http = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=120)
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

    def post(self, query: str) -> tuple[int, dict]:
        body = json.dumps({"query": query})
        self.http.request("POST", self.prefix + "/graphql/", body=body, headers=self.headers)
        response = self.http.getresponse()
        return response.status, json.loads(response.read())

    def get(self, path: str) -> int:
        self.http.request("GET", self.prefix + path)
        response = self.http.getresponse()
        response.read()
        return response.status


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def refusal(conn: Connection, query: str, count: int) -> dict:
    times, answers = [], set()
    for _ in range(count):
        started = time.perf_counter()
        status, body = conn.post(query)
        times.append(time.perf_counter() - started)
        answers.add((status, body.get("errors", [{}])[0].get("message", "")[:70]))
    return {
        "median_ms": ms(statistics.median(times)),
        "max_ms": ms(max(times)),
        "answers": sorted(f"{status}: {message}" for status, message in answers),
    }


def check_only(query: str, count: int) -> float:
    """Median in-process time of the bounded parse and the limits check."""
    from graphql import GraphQLError

    from portal.graphql import limits
    from portal.graphql.schema import schema

    times = []
    for _ in range(count):
        started = time.perf_counter()
        with contextlib.suppress(GraphQLError):
            limits.check(schema.graphql_schema, limits.parse_document(query), {})
        times.append(time.perf_counter() - started)
    return ms(statistics.median(times))


def healthz_under_attack(args, seconds: float) -> dict:
    """/healthz latency while two clients send the hostile documents back to back."""
    stop = threading.Event()
    sent = [0, 0]

    def attacker(slot: int) -> None:
        conn = Connection(args.base_url, args.token)
        while not stop.is_set():
            for _, query, _ in DOCUMENTS:
                conn.post(query)
                sent[slot] += 1

    threads = [threading.Thread(target=attacker, args=(slot,)) for slot in range(2)]
    for thread in threads:
        thread.start()
    conn, times = Connection(args.base_url, args.token), []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        conn.get("/healthz")
        times.append(time.perf_counter() - started)
        time.sleep(0.02)
    stop.set()
    for thread in threads:
        thread.join()
    times.sort()
    return {
        "hostile_requests": sum(sent),
        "hostile_per_second": round(sum(sent) / seconds),
        "healthz_median_ms": ms(statistics.median(times)),
        "healthz_p95_ms": ms(times[int(len(times) * 0.95)]),
        "healthz_max_ms": ms(times[-1]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8765")
    parser.add_argument("--token", default=os.environ.get("KEEL_BENCH_TOKEN"))
    parser.add_argument("--requests", type=int, default=10, help="Timed requests per document.")
    parser.add_argument("--seconds", type=float, default=10, help="Length of the /healthz run.")
    args = parser.parse_args()
    if not args.token:
        parser.error("pass --token or set KEEL_BENCH_TOKEN")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()

    conn = Connection(args.base_url, args.token)
    for _ in range(8):  # let each server worker build its schema and connections first
        Connection(args.base_url, args.token).post("{ services { totalCount } }")
    documents = {}
    for name, query, _ in DOCUMENTS:
        documents[name] = {
            "chars": len(query),
            **refusal(conn, query, args.requests),
            "check_only_ms": check_only(query, args.requests),
        }
    print(
        json.dumps(
            {"documents": documents, "under_attack": healthz_under_attack(args, args.seconds)},
            indent=2,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
