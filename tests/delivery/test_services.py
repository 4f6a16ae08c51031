"""The service tier: PostgreSQL, Redis and real Celery worker processes building a
scaffolded service for real (its pinned dependencies from PyPI), and a worker killed in the
middle of a stage."""

import os
import signal
from pathlib import Path

import pytest

from delivery import actions
from delivery.models import PipelineRun
from portal.celery import app as celery_app
from portal.models import Interface
from scaffolding import actions as scaffold_actions
from scaffolding.models import Pipeline
from tests.scaffolding.conftest import http_params
from tests.scaffolding.services_helpers import wait_for, worker

from .conftest import PASSING_TEST

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BOTTLE_SHA256 = "045684fbd2764eac9cdeb824861d1551d113e8b683d8d26e296898d3dd99a12e"


@pytest.fixture
def worker_env(delivery_dirs, settings):
    settings.KEEL_DELIVERY_PIP_FIND_LINKS = ""  # the scaffolded service's pins come from PyPI
    return {
        "KEEL_DATA_DIR": str(delivery_dirs),
        "KEEL_REPOSITORY_ROOT": str(delivery_dirs / "repositories"),
        "KEEL_DELIVERY_WORK_DIR": str(delivery_dirs / "delivery-work"),
        "KEEL_DELIVERY_ARTIFACT_DIR": str(delivery_dirs / "artifacts"),
        "KEEL_DELIVERY_PIP_FIND_LINKS": "",
    }


def finished(run):
    def check():
        run.refresh_from_db()
        return run.is_finished

    return check


def test_a_scaffolded_http_service_is_built_tested_and_packaged_by_a_worker(
    member, worker_env, settings, delivery_dirs, record_property
):
    # Given a service scaffolded from the HTTP template (in this process)
    settings.KEEL_SCAFFOLD_WORK_DIR = delivery_dirs / "scaffold-work"
    celery_app.conf.task_always_eager = True
    try:
        scaffold_actions.request_scaffold(
            actor=member, via="ui", template="python-http-service", parameters=http_params()
        )
    finally:
        celery_app.conf.task_always_eager = False
    pipeline = Pipeline.objects.get(slug="orders")

    # When a member runs its pipeline on a real worker
    with worker(env=worker_env):
        run = actions.start_run(pipeline, actor=member, via=Interface.UI)
        wait_for(finished(run), timeout=240, message="the run to finish")

    # Then the generated project's own tests ran against its pinned dependencies
    build = run.stages.get(name="build")
    assert run.status == PipelineRun.Status.SUCCEEDED, build.log
    assert "bottle-0.13.4" in build.log and "OK" in build.log
    # and the artifact records bottle with the hash the template pins
    assert run.artifact.provenance["dependencies"] == [{
        "name": "bottle", "version": "0.13.4", "file": "bottle-0.13.4-py2.py3-none-any.whl",
        "sha256": BOTTLE_SHA256,
    }]  # fmt: skip
    assert (delivery_dirs / run.artifact.path).is_file()
    record_property("run_seconds", (run.finished_at - run.created_at).total_seconds())
    for stage in run.stages.filter(name__in=["build", "package"]):
        record_property(f"{stage.name}_seconds", stage.duration_seconds)


SLEEPER = """import os
import time
import unittest


class Sleeps(unittest.TestCase):
    def test_sleeps(self):
        with open(os.path.join(os.environ["HOME"], "tests.pid"), "w") as f:
            f.write(str(os.getpid()))
        time.sleep(300)
"""


def test_a_worker_killed_in_the_middle_of_a_stage_leaves_no_process_and_no_running_run(
    repository, member, worker_env, settings, delivery_dirs
):
    repository.commit({"tests/test_works.py": PASSING_TEST, "tests/test_sleeps.py": SLEEPER})
    env = {
        **worker_env,
        "KEEL_DELIVERY_LEASE_SECONDS": "3",
        "KEEL_DELIVERY_HEARTBEAT_SECONDS": "1",
        "KEEL_DELIVERY_REAP_SECONDS": "1",
        "KEEL_DELIVERY_MAX_ATTEMPTS": "1",
    }
    # Given a worker running the build's unit tests
    with worker(env=env) as first:
        run = actions.start_run(repository.pipeline, actor=member, via=Interface.UI)
        pid_file = delivery_dirs / "delivery-work" / str(run.pk) / "tests.pid"
        wait_for(pid_file.exists, timeout=60, message="the unit tests to start")
        tests_pid = int(wait_for(pid_file.read_text, timeout=10, message="the pid"))
        # When the worker is killed
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)

    # Then the tests it started went with it
    wait_for(lambda: not _alive(tests_pid), timeout=10, message="the orphan to be killed")
    run.refresh_from_db()
    assert run.status == PipelineRun.Status.RUNNING
    # and the next worker fails the stage once its lease has run out (one attempt allowed)
    with worker(env=env):
        wait_for(finished(run), timeout=60, message="the reaper to end the run")
    build = run.stages.get(name="build")
    assert run.status == PipelineRun.Status.FAILED and "stopped 1 times" in run.message
    assert build.status == "failed" and "worker running this stage stopped" in build.log


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in {"Z", "X"}


def test_two_requests_at_once_are_serialised_on_the_pipeline(repository, member):
    """PostgreSQL's row locks: two runs requested at the same moment (behind a running one)
    get consecutive numbers; the later supersedes the earlier, none is lost or doubled."""
    import threading

    from django.db import connection

    running = actions.start_run(repository.pipeline, actor=member, via=Interface.API)
    PipelineRun.objects.filter(pk=running.pk).update(status=PipelineRun.Status.RUNNING)
    commits = [repository.commit({"README.md": f"{n}\n"}) for n in range(2)]
    barrier, errors = threading.Barrier(2), []

    def request(commit):
        try:
            barrier.wait()
            actions.start_run(repository.pipeline, actor=member, via=Interface.API, commit=commit)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(c,)) for c in commits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    runs = list(PipelineRun.objects.exclude(pk=running.pk).order_by("number"))
    assert [r.number for r in runs] == [2, 3]
    assert [r.status for r in runs] == ["superseded", "queued"]
    assert {r.commit_sha for r in runs} == set(commits)
