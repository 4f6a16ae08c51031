"""``manage.py generate_catalog``: a large synthetic catalog for benchmarks.

See ``catalog.demo.synthetic`` for why it writes with ``bulk_create`` instead of the actions
and records one summary ChangeRecord per bulk.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from catalog.demo import synthetic
from portal import request_id
from portal.models import Interface


class Command(BaseCommand):
    help = (
        "Generate a large synthetic catalog (teams, services, APIs, dependencies) for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--services", type=int, required=True, help="Number of services.")
        parser.add_argument(
            "--dependencies", type=int, help="Number of service-to-service edges (default 5 × N)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--clear", action="store_true", help="Delete previously generated data first."
        )

    def handle(self, *args, services, dependencies, seed, clear, **options):
        if services < 1 or (dependencies is not None and dependencies < 0):
            raise CommandError("--services must be positive and --dependencies not negative.")
        started = time.monotonic()
        with request_id.bound(f"cli-{request_id.new_id()}"):
            if clear:
                deleted = synthetic.clear(via=Interface.CLI)
                self.stdout.write(f"Deleted {deleted:,} generated rows.")
            elif synthetic.exists():
                raise CommandError("Generated data exists already: pass --clear to replace it.")
            counts = synthetic.generate(
                services=services,
                dependencies=services * 5 if dependencies is None else dependencies,
                seed=seed,
                via=Interface.CLI,
            )
        summary = ", ".join(f"{n:,} {what}" for what, n in counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Generated {summary} in {time.monotonic() - started:.1f} s.")
        )
