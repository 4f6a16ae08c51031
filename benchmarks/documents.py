"""Time rendering the services' stored documents (``catalog.documents.render``).

Renders every service of the configured database (``DATABASE_URL``; build a catalog first
with ``manage.py generate_catalog --services 10000``) in batches of ``--batch``, the size
``documents.flush`` uses, and prints one JSON document: milliseconds per service (median
batch and the whole run), SQL queries per batch, and how many rendered documents differ from
the stored ones (0 unless the renderer changed what it shows, or the catalog was written
behind the write layer's back). CPU time is this process's: all of the work on SQLite, all
but the server's on PostgreSQL; on a shared machine it varies less than the wall clock.
Figures are printed, never asserted (DESIGN.md, test tiers).

    .venv/bin/python benchmarks/documents.py [--batch 500] [--rounds 3] [--profile 25]
"""

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def batches(size: int) -> list[list[int]]:
    from catalog.models import Service

    ids = list(Service.objects.order_by("pk").values_list("pk", flat=True))
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def differing(fresh: dict) -> int:
    """How many of ``fresh`` differ from the stored documents, byte for byte."""
    from catalog.models import ServiceDocument

    stored = ServiceDocument.objects.filter(pk__in=list(fresh)).values_list(
        "pk", "detail", "item", "targets"
    )
    return sum(
        (detail, item, targets) != (fresh[pk].detail, fresh[pk].item, fresh[pk].targets)
        for pk, detail, item, targets in stored
    ) + (len(fresh) - len(stored))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=500, help="Services per render call.")
    parser.add_argument("--rounds", type=int, default=3, help="Passes over the whole catalog.")
    parser.add_argument(
        "--profile", type=int, default=0, help="Print the N costliest functions of one pass."
    )
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog import documents

    work = batches(args.batch)
    services = sum(map(len, work))
    if not services:
        sys.exit("No services: run manage.py generate_catalog --services 10000 first.")
    documents.shape()  # built once per process, not part of a batch
    per_batch, queries, different, rounds = [], set(), 0, []
    for round_ in range(args.rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        for ids in work:
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                fresh = documents.render(ids)
                per_batch.append((time.perf_counter() - started) * 1000 / len(ids))
            queries.add(len(captured))
            if round_ == 0:
                different += differing(fresh)
        rounds.append((time.perf_counter() - wall, time.process_time() - cpu))
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(lambda: [documents.render(ids) for ids in work])
        pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(args.profile)
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "services": services,
                "batch": args.batch,
                "rounds": args.rounds,
                "ms_per_service_median_batch": round(statistics.median(per_batch), 4),
                "ms_per_service_worst_batch": round(max(per_batch), 4),
                # a round includes comparing with the stored documents (the first) and
                # capturing queries; the best round is the one least disturbed by other work
                "ms_per_service_best_round": round(min(rounds)[0] * 1000 / services, 4),
                "cpu_ms_per_service_best_round": round(min(rounds)[1] * 1000 / services, 4),
                "queries_per_batch": sorted(queries),
                "documents_differing_from_stored": different,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
