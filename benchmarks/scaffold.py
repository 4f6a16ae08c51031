"""Time from submitting "create a service" to the service being registered in the catalog.

Runs the real thing on a throw-away data folder: SQLite (or ``DATABASE_URL``), Celery on its
filesystem transport (or ``CELERY_BROKER_URL``) with a real worker process, and the local
repository provider. Each of ``--runs`` requests (default 10) is submitted through
``scaffolding.actions.request_scaffold`` as a team member, exactly as the form does, and timed
until its run has succeeded and the Service row exists. Prints one JSON document with the
median, minimum and maximum, and the median time of each step. Figures are printed, never
asserted (see DESIGN.md, test tiers); the target is a median under 10 seconds.

    .venv/bin/python benchmarks/scaffold.py [--runs 10] [--template python-http-service]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--template", default="python-http-service")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--keep", action="store_true", help="keep the data folder afterwards")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="keel-bench-")
    os.environ["KEEL_DATA_DIR"] = data_dir
    os.environ["KEEL_REPOSITORY_PROVIDER"] = "local"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from catalog.models import Service
    from portal.factories import UserFactory
    from scaffolding import actions
    from scaffolding.models import ScaffoldRun
    from teams.factories import MembershipFactory, TeamFactory

    tag = uuid.uuid4().hex[:6]  # a database that is reused gets new names each time
    team = TeamFactory(slug=f"bench-{tag}", name=f"Bench {tag}")
    member = MembershipFactory(team=team, user=UserFactory(username=f"bench-{tag}")).user

    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo",
         "--without-gossip", "--without-mingle", "--loglevel=WARNING", "-n", "bench@localhost"],
        cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    totals, steps = [], {}
    try:
        from portal.celery import app

        deadline = time.monotonic() + 30
        while not app.control.ping(destination=["bench@localhost"], timeout=0.5):
            if time.monotonic() > deadline or worker.poll() is not None:
                sys.exit("The worker did not start.")
        for i in range(args.runs):
            params = {"slug": f"bench-{tag}-{i}", "name": f"Bench {i}", "owner_team": team.slug}
            if args.template == "python-worker":
                params["queue_name"] = f"bench-{i}"
            started = time.perf_counter()
            run = actions.request_scaffold(
                actor=member, via="ui", template=args.template, parameters=params
            )
            while True:
                run.refresh_from_db()
                if run.is_finished:
                    break
                if time.perf_counter() - started > args.timeout:
                    sys.exit(f"Run {run.uuid} did not finish within {args.timeout} s.")
                time.sleep(0.02)
            elapsed = time.perf_counter() - started
            if (
                run.status != ScaffoldRun.Status.SUCCEEDED
                or not Service.objects.filter(slug=run.slug).exists()
            ):
                sys.exit(f"Run {run.uuid} failed: {run.error}")
            totals.append(elapsed)
            for step in run.steps.all():
                steps.setdefault(step.name, []).append(step.duration_seconds or 0.0)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)

    median = statistics.median(totals)
    print(
        json.dumps(
            {
                "benchmark": "scaffold: submit to registered service",
                "template": args.template,
                "runs": len(totals),
                "database": django.conf.settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
                "broker": django.conf.settings.CELERY_BROKER_URL.split(":", 1)[0],
                "seconds": {
                    "median": round(median, 3),
                    "min": round(min(totals), 3),
                    "max": round(max(totals), 3),
                },
                "step_median_seconds": {
                    k: round(statistics.median(v), 3) for k, v in steps.items()
                },
                "target_seconds": 10,
                "meets_target": median < 10,
                "data_dir": data_dir if args.keep else None,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
