"""Time rendering the services' stored documents (``catalog.documents.render``).

Renders every service of the configured database (``DATABASE_URL``; build a catalog first
with ``manage.py generate_catalog --services 10000``) in batches of ``--batch``, the size
``documents.flush`` uses, twice a batch: with ``documents.render`` ("bulk") and as it was
rendered before, with the DRF serializers over model instances ("serializers"), one after
the other so that both see the same load on a shared machine. Prints one JSON document, per
renderer: milliseconds per service (median and worst batch), this process's CPU time per
service (all of the work on SQLite, all but the server's on PostgreSQL), SQL queries per
batch, and how many documents differ from the stored ones (0 unless the representation
changed since they were stored). Figures are printed, never asserted (DESIGN.md, test tiers).

    .venv/bin/python benchmarks/documents.py [--batch 500] [--rounds 2] [--profile 25]
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


def differing(fresh: dict[int, tuple]) -> int:
    """How many of ``fresh`` (pk: detail, item) differ from the stored documents."""
    from catalog.models import ServiceDocument

    stored = ServiceDocument.objects.filter(pk__in=list(fresh)).values_list("pk", "detail", "item")
    return sum((detail, item) != fresh[pk] for pk, detail, item in stored) + (
        len(fresh) - len(stored)
    )


def bulk(ids) -> dict[int, tuple]:
    from catalog import documents

    return {pk: (d.detail, d.item) for pk, d in documents.render(ids).items()}


def serializers(ids) -> dict[int, tuple]:
    """The documents as ``documents.render`` made them before: DRF over model instances."""
    from rest_framework.renderers import JSONRenderer

    from catalog import documents
    from catalog.models import Service

    detail, item = documents._serializers()
    services = list(Service.objects.with_neighbours().filter(pk__in=ids))
    dump = JSONRenderer().render
    pairs = zip(detail(services, many=True).data, item(services, many=True).data, strict=True)
    return {
        service.pk: (dump(d).decode(), dump(i).decode())
        for service, (d, i) in zip(services, pairs, strict=True)
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=500, help="Services per render call.")
    parser.add_argument("--rounds", type=int, default=2, help="Passes over the whole catalog.")
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
    documents.shape(), bulk(work[0][:1])  # built once per process, not part of a batch
    renderers = {"bulk": bulk, "serializers": serializers}
    figures = {
        name: {"wall": [], "cpu": 0.0, "queries": set(), "differing": 0} for name in renderers
    }
    for round_ in range(args.rounds):
        for ids in work:
            for name, render in renderers.items():  # alternately: the same load on both
                figure = figures[name]
                with CaptureQueriesContext(connection) as captured:
                    wall, cpu = time.perf_counter(), time.process_time()
                    fresh = render(ids)
                    figure["cpu"] += time.process_time() - cpu
                    figure["wall"].append((time.perf_counter() - wall) * 1000 / len(ids))
                figure["queries"].add(len(captured))
                if round_ == 0:
                    figure["differing"] += differing(fresh)
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(lambda: [documents.render(ids) for ids in work])
        pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(args.profile)
    shown = {
        name: {
            "ms_per_service_median_batch": round(statistics.median(figure["wall"]), 4),
            "ms_per_service_worst_batch": round(max(figure["wall"]), 4),
            "cpu_ms_per_service": round(figure["cpu"] * 1000 / services / args.rounds, 4),
            "queries_per_batch": sorted(figure["queries"]),
            "documents_differing_from_stored": figure["differing"],
        }
        for name, figure in figures.items()
    }
    speedup = (
        shown["serializers"]["ms_per_service_median_batch"]
        / shown["bulk"]["ms_per_service_median_batch"]
    )
    load = os.getloadavg()[0]
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "services": services,
                "batch": args.batch,
                "rounds": args.rounds,
                "load_average": round(load, 2),
                **shown,
                "speedup_median_batch": round(speedup, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
