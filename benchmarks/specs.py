"""Publish and page times for the largest specifications the caps allow.

Generates two documents just under the caps (``KEEL_SPEC_MAX_BYTES``, and for GraphQL also
``KEEL_SPEC_MAX_GRAPHQL_TOKENS``), in the shapes that cost the most per byte:

- OpenAPI 3.1 as compact JSON with as many paths as fit, one small GET each (the shape of the
  975 KB, 17,000-path document in issue 8);
- GraphQL SDL with as many small object types as fit.

For each it times ``actions.publish_api_version`` (validation, summary, insert and change
record) and the API page (Django's test client, signed in, median and slowest of ``--views``
requests, the first page and the last page of the summary), and reports the peak memory the
publish added (``ru_maxrss``). Each document runs in a child process of its own, so one's peak
memory does not hide the other's, against a throwaway test database (SQLite in memory, or the
PostgreSQL server ``DATABASE_URL`` names). Prints one JSON document; figures are printed,
never asserted (DESIGN.md, test tiers).

    .venv/bin/python benchmarks/specs.py            # both documents
    .venv/bin/python benchmarks/specs.py --kind graphql --views 20
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def openapi_document(max_bytes: int) -> tuple[str, int]:
    """Compact JSON with as many one-operation paths as fit in ``max_bytes``."""
    head = '{"openapi":"3.1.0","info":{"title":"Largest","version":"1.0.0"},"paths":{'
    item = '"/resource-%d":{"get":{"operationId":"get%d","responses":{"200":{"description":"ok"}}}}'
    parts, size, count = [], len(head) + 2, 0
    while True:
        part = ("," if parts else "") + item % (count, count)
        if size + len(part) > max_bytes:
            break
        parts.append(part)
        size += len(part)
        count += 1
    return head + "".join(parts) + "}}", count


def graphql_document(max_bytes: int, max_tokens: int) -> tuple[str, int]:
    """As many small object types as fit under both caps (each costs 14 tokens)."""
    head = "type Query { first: T0 }\n"
    item = "type T%d { id: ID! name: String next: T%d }\n"
    parts, size, tokens, count = [], len(head), 8, 0
    while size + len(item) + 12 <= max_bytes and tokens + 14 <= max_tokens:
        part = item % (count, count + 1)
        parts.append(part)
        size += len(part)
        tokens += 14
        count += 1
    parts[-1] = parts[-1].replace(f"next: T{count}", "next: T0")
    return head + "".join(parts), count


def _timed(function) -> tuple[float, float, object]:
    """Wall-clock and CPU seconds: on a shared machine the CPU time is the steadier figure."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def measure(kind: str, views: int) -> dict:
    """Publish one document of ``kind`` and read its page, in a fresh test database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from catalog import actions
        from catalog.factories import ApiFactory, ServiceFactory
        from catalog.models import Api
        from portal.factories import UserFactory
        from teams.factories import MembershipFactory, TeamFactory
        from teams.models import Membership

        team = TeamFactory(slug="bench")
        lead = UserFactory(username="bench-lead")
        MembershipFactory(team=team, user=lead, role=Membership.Role.LEAD)
        service = ServiceFactory(slug="bench-svc", owner_team=team)
        if kind == "openapi":
            text, items = openapi_document(settings.KEEL_SPEC_MAX_BYTES)
        else:
            text, items = graphql_document(
                settings.KEEL_SPEC_MAX_BYTES, settings.KEEL_SPEC_MAX_GRAPHQL_TOKENS
            )
        api = ApiFactory(slug=f"bench-{kind}", provider=service, type=kind)
        assert api.type in Api.Type.values

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        publish_s, publish_cpu_s, _ = _timed(
            lambda: actions.publish_api_version(
                api, actor=lead, via="bench", version="1.0.0", spec=text
            )
        )
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        client = Client()
        client.force_login(lead)
        url = api.get_absolute_url()
        last_page = -(-items // settings.KEEL_SPEC_PAGE_SIZE)
        pages = {}
        for name, query in (("first_page", {}), ("last_page", {"page": last_page})):
            assert client.get(url, query).status_code == 200  # warm: session, templates
            times, cpu_times = [], []
            for _ in range(views):
                elapsed, cpu, response = _timed(lambda q=query: client.get(url, q))
                assert response.status_code == 200
                times.append(elapsed)
                cpu_times.append(cpu)
            pages[name] = {
                "median_ms": round(statistics.median(times) * 1000, 1),
                "max_ms": round(max(times) * 1000, 1),
                "median_cpu_ms": round(statistics.median(cpu_times) * 1000, 1),
                "html_kb": round(len(response.content) / 1024, 1),
            }
        return {
            "kind": kind,
            "bytes": len(text.encode()),
            "items": items,
            "publish_s": round(publish_s, 2),
            "publish_cpu_s": round(publish_cpu_s, 2),
            "publish_peak_rss_added_mb": round((rss_after - rss_before) / 1024, 1),
            "page": pages,
        }
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kind", choices=["openapi", "graphql"])
    parser.add_argument("--views", type=int, default=10, help="timed page views per page")
    args = parser.parse_args()
    if args.kind:
        print(json.dumps(measure(args.kind, args.views)))
        return
    from importlib import import_module

    results = []
    for kind in ("openapi", "graphql"):
        child = subprocess.run(
            [sys.executable, __file__, "--kind", kind, "--views", str(args.views)],
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    settings = import_module("django.conf").settings
    caps = {
        "KEEL_SPEC_MAX_BYTES": settings.KEEL_SPEC_MAX_BYTES,
        "KEEL_SPEC_MAX_GRAPHQL_TOKENS": settings.KEEL_SPEC_MAX_GRAPHQL_TOKENS,
    }
    load = dict(zip(("1min", "5min", "15min"), os.getloadavg(), strict=True))
    print(json.dumps({"caps": caps, "load_average": load, "documents": results}, indent=2))


if __name__ == "__main__":
    main()
