"""Mixed read load on a live server: service list, service detail, GraphQL and search at once,
from many concurrent clients, then the ``/healthz`` ceiling with the same clients.

Run it with the same environment as the server (``DATABASE_URL`` and the ``DJANGO_*``
variables; see benchmarks/README.md): it signs a ``bench`` user in (creating it, with a fresh
random password, through the ORM) and reads the catalog once to pick what to ask for: every
service slug, and words from service names for the search box. Requests go over HTTP only,
with the standard library: each client is a thread with its own keep-alive ``http.client``
connection, spread over several processes so that the client's interpreter lock does not
become the bottleneck. All clients share the one session (cookie and CSRF token).

The mix (``--mix``, weights) by default:
- list: ``GET /api/v1/services/?page_size=50&page=<random>`` (REST, cached per page)
- detail: ``GET /api/v1/services/<random slug>/``
- graphql: ``POST /graphql/``, 20 services of a random page with owner team and APIs
- search: ``GET /search/?q=<random word>`` (the page, full text on PostgreSQL)

Prints requests per second, p50/p95/p99 latency and errors, per kind and overall, and the
``/healthz`` requests per second; with ``--json`` one JSON document instead. Figures are
printed, never asserted (DESIGN.md, test tiers). Bounded: ``--seconds`` of load, then
``--healthz-seconds``; every request has a timeout.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import secrets
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

GRAPHQL_QUERY = """
query MixedLoad($after: String) {
  services(first: 20, after: $after) {
    edges { node { slug name ownerTeam { slug name } providedApis { slug type } } }
  }
}
"""
DEFAULT_MIX = "list=3,detail=3,graphql=2,search=2"
TIMEOUT = 30


def prepare(base_url: str) -> dict:
    """Sign the bench user in and pick targets; returns what every client needs."""
    import base64

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.contrib.auth import get_user_model

    from catalog.models import Service

    password = secrets.token_urlsafe(16)
    user, _ = get_user_model().objects.get_or_create(username="bench")
    user.set_password(password)
    user.is_active = True
    user.save()
    slugs = list(Service.objects.order_by("slug").values_list("slug", flat=True))
    if not slugs:
        sys.exit("The catalog is empty: run manage.py generate_catalog first.")
    words = sorted(
        {w.lower() for name in Service.objects.values_list("name", flat=True)[:2000]
         for w in re.findall(r"[A-Za-z]{4,}", name)}
    )  # fmt: skip
    from django.db import connections

    connections.close_all()  # the client processes are forked: leave them no connection
    cookies = _sign_in(base_url, "bench", password)
    pages = max(1, (len(slugs) + 49) // 50)
    cursors = [
        base64.b64encode(f"arrayconnection:{n * 20 - 1}".encode()).decode()
        for n in range(1, min(pages * 2, 200))
    ]
    return {
        "cookies": cookies,
        "slugs": slugs,
        "words": words or ["service"],
        "pages": pages,
        "cursors": [None, *cursors],
    }


def _sign_in(base_url: str, username: str, password: str) -> dict:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=TIMEOUT)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    page = response.read().decode()
    cookies = _cookies(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = f"username={quote(username)}&password={quote(password)}&csrfmiddlewaretoken={token}"
    connection.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": _cookie_header(cookies),
        },
    )
    response = connection.getresponse()
    response.read()
    cookies.update(_cookies(response))
    if response.status != 302 or "sessionid" not in cookies:
        sys.exit(f"Sign-in failed ({response.status}): is the server on {base_url}?")
    return cookies


def _cookies(response) -> dict:
    found = {}
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            found[key.strip()] = rest.split(";", 1)[0]
    return found


def _cookie_header(cookies: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _request(kind: str, targets: dict, rng: random.Random) -> tuple[str, str, bytes | None]:
    if kind == "list":
        return (
            "GET",
            f"/api/v1/services/?page_size=50&page={rng.randint(1, targets['pages'])}",
            None,
        )
    if kind == "detail":
        return "GET", f"/api/v1/services/{rng.choice(targets['slugs'])}/", None
    if kind == "graphql":
        variables = {"after": rng.choice(targets["cursors"])}
        body = json.dumps({"query": GRAPHQL_QUERY, "variables": variables}).encode()
        return "POST", "/graphql/", body
    if kind == "search":
        return "GET", f"/search/?q={quote(rng.choice(targets['words']))}", None
    if kind == "healthz":
        return "GET", "/healthz", None
    raise ValueError(kind)


def _client(base_url, targets, kinds, weights, until, seed, results, lock):
    """One client: a keep-alive connection sending requests back to back until ``until``."""
    parts = urlsplit(base_url)
    rng = random.Random(seed)
    headers = {
        "Cookie": _cookie_header(targets["cookies"]),
        "X-CSRFToken": targets["cookies"].get("csrftoken", ""),
        "Accept": "application/json",
        "Content-Type": "application/json",
    }
    connection = None
    mine = []
    while time.monotonic() < until:
        kind = rng.choices(kinds, weights)[0]
        method, path, body = _request(kind, targets, rng)
        if connection is None:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            ok = response.status == 200 and not (kind == "graphql" and b'"errors"' in data)
        except (OSError, http.client.HTTPException):
            ok, connection = False, None
        mine.append((kind, (time.perf_counter() - started) * 1000, ok))
    with lock:
        results.extend(mine)


def _process(base_url, targets, kinds, weights, clients, until, seed, queue):
    results, lock = [], threading.Lock()
    threads = [
        threading.Thread(
            target=_client,
            args=(base_url, targets, kinds, weights, until, seed * 1000 + n, results, lock),
        )
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put(results)


def run_load(base_url, targets, mix: dict, clients: int, seconds: float, processes: int):
    """Every client for ``seconds``; returns (kind, milliseconds, ok) of every request."""
    kinds, weights = list(mix), list(mix.values())
    queue = multiprocessing.Queue()
    until = time.monotonic() + seconds
    shares = [
        clients // processes + (1 if n < clients % processes else 0) for n in range(processes)
    ]
    workers = [
        multiprocessing.Process(
            target=_process,
            args=(base_url, targets, kinds, weights, share, until, n + 1, queue),
        )
        for n, share in enumerate(shares)
        if share
    ]
    for worker in workers:
        worker.start()
    results = [row for _ in workers for row in queue.get(timeout=seconds + TIMEOUT + 30)]
    for worker in workers:
        worker.join()
    return results


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def summarise(results, seconds: float) -> dict:
    def figures(rows):
        times = [ms for _, ms, _ in rows]
        return {
            "requests": len(rows),
            "rps": round(len(rows) / seconds, 1),
            "p50_ms": round(statistics.median(times), 1) if times else 0.0,
            "p95_ms": round(_percentile(times, 0.95), 1),
            "p99_ms": round(_percentile(times, 0.99), 1),
            "errors": sum(1 for *_, ok in rows if not ok),
        }

    kinds = sorted({kind for kind, *_ in results})
    return {
        "all": figures(results),
        **{kind: figures([r for r in results if r[0] == kind]) for kind in kinds},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8765")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup-seconds", type=float, default=5)
    parser.add_argument("--healthz-seconds", type=float, default=10)
    parser.add_argument("--processes", type=int, default=min(4, os.cpu_count() or 1))
    parser.add_argument("--mix", default=DEFAULT_MIX, help=f"weights (default {DEFAULT_MIX})")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()
    mix = {k: float(v) for k, _, v in (part.partition("=") for part in args.mix.split(","))}

    targets = prepare(args.base_url)
    if args.warmup_seconds:
        run_load(args.base_url, targets, mix, args.clients, args.warmup_seconds, args.processes)
    load = summarise(
        run_load(args.base_url, targets, mix, args.clients, args.seconds, args.processes),
        args.seconds,
    )
    ceiling = summarise(
        run_load(
            args.base_url,
            targets,
            {"healthz": 1},
            args.clients,
            args.healthz_seconds,
            args.processes,
        ),
        args.healthz_seconds,
    )["all"]
    report = {
        "services": len(targets["slugs"]),
        "clients": args.clients,
        "seconds": args.seconds,
        "mix": mix,
        "load": load,
        "healthz": ceiling,
        "share_of_ceiling": round(load["all"]["rps"] / ceiling["rps"], 2) if ceiling["rps"] else 0,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"{report['services']} services, {args.clients} clients, {args.seconds:g} s, mix {args.mix}"
    )
    print(
        f"{'kind':<8} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} errors"
    )
    for kind, f in [*load.items(), ("healthz", ceiling)]:
        print(
            f"{kind:<8} {f['requests']:>9} {f['rps']:>8} {f['p50_ms']:>8} {f['p95_ms']:>8} "
            f"{f['p99_ms']:>8} {f['errors']}"
        )
    print(f"mixed load: {report['share_of_ceiling']:.0%} of the /healthz ceiling")


if __name__ == "__main__":
    main()
