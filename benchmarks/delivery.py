"""Time from ``git push`` of a one-line change to production serving it, through every stage.

Runs the real thing on a throw-away data folder: SQLite (or ``DATABASE_URL``), Celery on its
filesystem transport (or ``CELERY_BROKER_URL``) with a real worker process, the portal served
by ``manage.py runserver`` for git's smart HTTP and the REST API, and the local repository
provider. One HTTP service is scaffolded from ``python-http-service`` with a ``--bake``-second
bake (default 10), cloned over HTTP with a team member's token, and each of ``--runs`` pushes
(default 5) changes its version: timed from the push until production's release answers
``/v1/info`` with the new version. The pinned dependencies come from PyPI, as in a real build.

While each run goes, a client polls ``GET /api/v1/runs/<id>/`` every 0.1 s; the lag between a
stage's recorded change (started, finished) and the first answer that shows it is the "status
visible" figure. Prints one JSON document; figures are printed, never asserted. Targets
(issue 12): median ≤ 60 s with a 10-second bake; each status visible ≤ 1 s after it changes.

    .venv/bin/python benchmarks/delivery.py [--runs 5] [--bake 10] [--keep]
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get_json(url: str, token: str | None = None):
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if token:
        request.add_header("Authorization", f"Token {token}")
    with OPENER.open(request, timeout=5) as response:
        return json.loads(response.read())


def git(*args, cwd=None):
    env = {"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin", "HOME": tempfile.gettempdir()}
    done = subprocess.run(["git", "-c", "credential.helper=", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    if done.returncode:
        sys.exit(f"git {' '.join(args)} failed: {done.stdout}{done.stderr}")
    return done.stdout


def wait(predicate, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    sys.exit(f"Timed out after {timeout} s waiting for {what}.")


def parse_time(text: str | None) -> float | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() if text else None


class Watcher:
    """What the REST API showed of one run, and when each stage's change first showed."""

    def __init__(self, base: str, token: str, run_id: int):
        self.url, self.token = f"{base}/api/v1/runs/{run_id}/", token
        self.seen: dict[tuple[str, str], float] = {}  # (stage, "started"|"finished") -> when
        self.body: dict = {}

    def poll(self) -> dict:
        self.body = get_json(self.url, self.token)
        now = time.time()
        for stage in self.body["stages"]:
            for event in ("started", "finished"):
                if stage.get(f"{event}_at"):
                    self.seen.setdefault((stage["name"], event), now)
        return self.body

    def lags(self) -> list[float]:
        """Seconds from each recorded stage change to the first answer showing it."""
        found = []
        for stage in self.body["stages"]:
            for event in ("started", "finished"):
                at = parse_time(stage.get(f"{event}_at"))
                if at is not None and (stage["name"], event) in self.seen:
                    found.append(max(0.0, self.seen[(stage["name"], event)] - at))
        return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bake", type=float, default=10, help="bake seconds (default 10)")
    parser.add_argument("--timeout", type=float, default=300, help="per push, seconds")
    parser.add_argument("--keep", action="store_true", help="keep the data folder afterwards")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="keel-bench-delivery-")
    port = free_port()
    os.environ.update({
        "KEEL_DATA_DIR": data_dir,
        "KEEL_REPOSITORY_PROVIDER": "local",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "KEEL_BASE_URL": f"http://127.0.0.1:{port}",
        "KEEL_DELIVERY_BAKE_SECONDS": str(args.bake),
        "KEEL_DELIVERY_BAKE_INTERVAL_SECONDS": str(min(2.0, args.bake)),
    })  # fmt: skip
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from accounts.factories import ApiTokenFactory
    from delivery.models import Deployment, PipelineRun
    from portal.celery import app
    from portal.factories import UserFactory
    from scaffolding import actions
    from scaffolding.models import ScaffoldRun
    from teams.factories import MembershipFactory, TeamFactory

    tag = uuid.uuid4().hex[:6]  # a database that is reused gets new names each time
    team = TeamFactory(slug=f"bench-{tag}", name=f"Bench {tag}")
    member = MembershipFactory(team=team, user=UserFactory(username=f"bench-{tag}")).user
    token = ApiTokenFactory(user=member, scope="write").key
    slug, package = f"shop-{tag}", f"shop_{tag}"

    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": ROOT}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo",
         "--without-gossip", "--without-mingle", "--loglevel=WARNING", "-n", "bench@localhost"],
        env=os.environ.copy(), **quiet,
    )  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", "--nostatic",
         f"127.0.0.1:{port}"], env=os.environ.copy(), **quiet,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    totals, stage_seconds, lags = [], {}, []
    try:
        wait(lambda: app.control.ping(destination=["bench@localhost"], timeout=0.5), 30,
             "the worker")  # fmt: skip

        def serving():
            try:
                return get_json(f"{base}/healthz")
            except OSError:
                return None

        wait(serving, 30, "the portal")
        scaffold = actions.request_scaffold(
            actor=member, via="ui", template="python-http-service",
            parameters={"slug": slug, "name": f"Shop {tag}", "owner_team": team.slug},
        )  # fmt: skip
        wait(lambda: scaffold.refresh_from_db() or scaffold.is_finished, 120, "the scaffold")
        if scaffold.status != ScaffoldRun.Status.SUCCEEDED:
            sys.exit(f"The scaffold failed: {scaffold.error}")
        clone = Path(data_dir) / "clone"
        git("clone", f"http://{member.username}:{token}@127.0.0.1:{port}/git/{slug}.git",
            str(clone))  # fmt: skip
        version_file = clone / package / "__init__.py"

        for i in range(1, args.runs + 1):
            version = f"1.{i}.0"  # the template starts at 0.1.0
            version_file.write_text(f'__version__ = "{version}"\n')
            git("-c", "user.name=Bench", "-c", "user.email=bench@example.org", "commit", "-qam",
                f"Version {version}", cwd=clone)  # fmt: skip
            commit = git("rev-parse", "HEAD", cwd=clone).strip()
            started = time.perf_counter()
            git("push", "-q", "origin", "main", cwd=clone)
            run = wait(lambda c=commit: PipelineRun.objects.filter(commit_sha=c).first(), 30,
                       "the run to start")  # fmt: skip
            watcher = Watcher(base, token, run.pk)

            def released(c=commit, v=version, w=watcher):
                body = w.poll()
                if body["status"] in ("failed", "stopped", "superseded"):
                    sys.exit(f"Run {body['number']} {body['status']}: {body['message']}")
                live = Deployment.objects.filter(
                    run__commit_sha=c, environment__name="production",
                    status=Deployment.Status.LIVE,
                ).first()  # fmt: skip
                if live is None:
                    return False
                try:
                    return get_json(f"{live.url}/v1/info")["version"] == v
                except OSError:
                    return False

            wait(released, args.timeout, f"production to serve {version}", interval=0.1)
            totals.append(time.perf_counter() - started)
            wait(lambda w=watcher: w.poll()["status"] == "succeeded", 30, "the run to end", 0.1)
            lags.extend(watcher.lags())
            for stage in watcher.body["stages"]:
                began, ended = parse_time(stage["started_at"]), parse_time(stage["finished_at"])
                if began and ended:
                    stage_seconds.setdefault(stage["name"], []).append(ended - began)
    finally:
        for process in (server, worker):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        from delivery.processes import stop_group

        for deployment in Deployment.objects.filter(environment__pipeline__slug=slug):
            details = deployment.details or {}
            if details.get("pid"):
                stop_group(details["pid"], details.get("start_ticks"))
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)

    median = statistics.median(totals)
    print(json.dumps({
        "benchmark": "delivery: git push to production serving the change",
        "runs": len(totals),
        "bake_seconds": args.bake,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "broker": settings.CELERY_BROKER_URL.split(":", 1)[0],
        "seconds": {"median": round(median, 2), "min": round(min(totals), 2),
                    "max": round(max(totals), 2)},
        "stage_median_seconds": {
            name: round(statistics.median(values), 2) for name, values in stage_seconds.items()
        },
        "status_visible_seconds": {
            "median": round(statistics.median(lags), 3), "max": round(max(lags), 3),
            "changes": len(lags),
        },
        "targets": {"median_seconds": 60, "status_visible_seconds": 1},
        "meets_targets": median <= 60 and max(lags) <= 1,
        "data_dir": data_dir if args.keep else None,
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
