"""Time from a worker being killed in the middle of a scaffold run to that run finished.

The documented setup only: ``celery -A portal worker`` (prefork, one process), no beat, no
person. A run is held in its push step (the slow local provider of the tests waits while a
flag file exists); then either the pool process running it is killed with SIGKILL (what the
kernel's OOM killer does; the worker's main process lives on) or the whole worker is killed
and a new one started at once (what a supervisor or Kubernetes does). The clock runs from the
kill to the run's ``succeeded``. Recovery is the lease running out (no heartbeat any more),
then the worker's own reaper timer sending the run again. Prints one JSON document; figures
are printed, never asserted (DESIGN.md, test tiers). The target is at most 60 seconds.

    .venv/bin/python benchmarks/recovery.py [--runs 2]
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_SECONDS = 60


def start_worker(name):
    args = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--concurrency=1",
            "--loglevel=WARNING", "-n", name]  # fmt: skip
    process = subprocess.Popen(args, cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    from portal.celery import app

    deadline = time.monotonic() + 60
    while not app.control.ping(destination=[name], timeout=0.5):
        if time.monotonic() > deadline or process.poll() is not None:
            sys.exit("The worker did not start.")
    return process


def pool_child(pid: int) -> int:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    if not children:
        sys.exit("The worker has no pool process.")
    return int(children[0])


def wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            sys.exit(f"Timed out waiting for {what}.")
        time.sleep(0.05)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="runs per kind of kill")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="keel-recovery-")
    flag = Path(data_dir) / "slow-push"
    os.environ.update(
        KEEL_DATA_DIR=data_dir,
        KEEL_REPOSITORY_PROVIDER="tests.scaffolding.slow_provider.SlowLocalProvider",
        KEEL_TEST_SLOW_PUSH_FLAG=str(flag),
        CELERY_TASK_ALWAYS_EAGER="false",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from portal.factories import UserFactory
    from scaffolding import actions
    from teams.factories import MembershipFactory, TeamFactory

    tag = uuid.uuid4().hex[:6]
    team = TeamFactory(slug=f"bench-{tag}", name=f"Bench {tag}")
    member = MembershipFactory(team=team, user=UserFactory(username=f"bench-{tag}")).user
    figures = {"pool process killed": [], "worker killed and restarted": []}
    worker = start_worker(f"recovery-{tag}@localhost")
    try:
        for i in range(args.runs * 2):
            kind = list(figures)[i % 2]
            flag.touch()
            run = actions.request_scaffold(
                actor=member, via="ui", template="python-http-service",
                parameters={"slug": f"bench-{tag}-{i}", "name": f"Bench {i}",
                            "owner_team": team.slug},
            )  # fmt: skip

            def pushing(run=run):
                run.refresh_from_db()
                return run.current_step == "push" and run.status == "running"

            wait(pushing, 60, "the push step")
            if kind == "pool process killed":
                os.kill(pool_child(worker.pid), signal.SIGKILL)
                killed = time.monotonic()
            else:
                worker.kill()
                killed = time.monotonic()
                worker.wait()
                worker = start_worker(f"recovery-{tag}-{i}@localhost")
            flag.unlink()

            def finished(run=run):
                run.refresh_from_db()
                return run.is_finished

            wait(finished, 300, "the run to finish")
            if run.status != "succeeded":
                sys.exit(f"Run {run.uuid} failed: {run.error}")
            figures[kind].append(round(time.monotonic() - killed, 1))
    finally:
        worker.kill()
        worker.wait()
        shutil.rmtree(data_dir, ignore_errors=True)

    worst = max(max(v) for v in figures.values())
    print(
        json.dumps(
            {
                "benchmark": "recovery: worker killed mid-run to run succeeded",
                "setup": "celery -A portal worker --concurrency=1 (no beat)",
                "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
                "broker": settings.CELERY_BROKER_URL.split(":", 1)[0],
                "lease_seconds": settings.KEEL_SCAFFOLD_LEASE_SECONDS,
                "heartbeat_seconds": settings.KEEL_SCAFFOLD_HEARTBEAT_SECONDS,
                "reap_seconds": settings.KEEL_SCAFFOLD_REAP_SECONDS,
                "kill_to_finished_seconds": figures,
                "target_seconds": TARGET_SECONDS,
                "meets_target": worst <= TARGET_SECONDS,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
