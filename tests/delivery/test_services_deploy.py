"""The service tier end to end: a scaffolded HTTP service, cloned and pushed to over git's
smart HTTP, built, packaged and deployed by a real worker to staging and production, where
its process answers; a failing unit test stops at build; a release whose health check fails
once deployed is rolled back; a release that answers errors during the bake stops the
pipeline before production. And a run's deployment waiting for a person's rollback to the
same environment (PostgreSQL's row locks)."""

import json
import subprocess
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager, suppress

import pytest
from django.db import connection

from accounts.factories import ApiTokenFactory
from delivery import actions, deployments
from delivery.models import Deployment, Environment, PipelineRun
from portal.celery import app as celery_app
from portal.models import Interface
from scaffolding import actions as scaffold_actions
from tests.scaffolding.conftest import http_params
from tests.scaffolding.services_helpers import wait_for, worker

from .conftest import app
from .test_services import worker_env  # noqa: F401 - the fixture

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BROKEN_HEALTH = (
    'return _json({"status": "ok"})',
    'return _json({"status": "ok"}, status=500 if os.environ.get("KEEL_ENVIRONMENT") else 200)',
)

INFO = 'return _json({"service": SERVICE, "version": __version__})'
ERRORING_INFO = (
    INFO,
    INFO[:-1] + ', status=500 if os.environ.get("KEEL_ENVIRONMENT") else 200)',
)


def git(*args, cwd=None):
    env = {"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    return subprocess.run(["git", "-c", "credential.helper=", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip


def get(url: str) -> str:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=5) as response:
        return response.read().decode()


def current(name: str) -> Deployment | None:
    env = Environment.objects.filter(name=name).select_related("current").first()
    return env.current if env else None


@contextmanager
def traffic():
    """A client asking staging's release for ``/v1/info`` all along, as users would: the
    bake judges the requests a release serves, not its own checks."""
    stop = threading.Event()

    def ask():
        try:
            while not stop.is_set():
                release = current("staging")
                for _ in range(20):
                    # a 500, or a release being replaced: counted by the release or not
                    with suppress(urllib.error.URLError, OSError):
                        if release is not None:
                            get(release.url + "/v1/info")
                    time.sleep(0.02)
        finally:
            connection.close()

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


@pytest.fixture
def deploy_env(worker_env, delivery_dirs, settings):  # noqa: F811 - the imported fixture
    # A 3-second bake judged from 5 requests: the definition scaffolding writes takes these.
    settings.KEEL_DELIVERY_BAKE_SECONDS, settings.KEEL_DELIVERY_BAKE_INTERVAL_SECONDS = 3, 0.5
    settings.KEEL_DELIVERY_BAKE_MIN_REQUESTS = 5
    return {
        **worker_env,
        "KEEL_DELIVERY_RELEASE_DIR": str(delivery_dirs / "releases"),
        "KEEL_DELIVERY_HEALTH_SECONDS": "5",
    }


def test_four_pushes_production_a_failing_test_a_failing_health_check_and_a_bad_bake(
    live_server, member, deploy_env, settings, delivery_dirs, tmp_path
):
    # Given a service scaffolded from the HTTP template, cloned by a member of its team
    settings.KEEL_SCAFFOLD_WORK_DIR = delivery_dirs / "scaffold-work"
    celery_app.conf.task_always_eager = True
    try:
        scaffold_actions.request_scaffold(
            actor=member, via="ui", template="python-http-service", parameters=http_params()
        )
    finally:
        celery_app.conf.task_always_eager = False
    token = ApiTokenFactory(user=member, scope="write")
    host = live_server.url.removeprefix("http://")
    clone = tmp_path / "clone"
    url = f"http://{member.username}:{token.key}@{host}/git/orders.git"
    assert git("clone", url, str(clone)).returncode == 0

    def push(message, edit):
        edit()
        git("-c", "user.name=A", "-c", "user.email=a@x.org", "commit", "-qam", message, cwd=clone)
        pushed = git("push", "origin", "main", cwd=clone)
        assert pushed.returncode == 0, pushed.stderr
        run = PipelineRun.objects.order_by("-number").first()
        wait_for(lambda: run.refresh_from_db() or run.is_finished, timeout=240,
                 message=f"the run of {message!r} to finish")  # fmt: skip
        return run

    init, app_py = clone / "orders" / "__init__.py", clone / "orders" / "app.py"
    tests = clone / "tests" / "test_app.py"
    with worker(env=deploy_env), traffic():
        # When a good change is pushed, production serves it
        good = push("Version 0.2.0", lambda: init.write_text('__version__ = "0.2.0"\n'))
        assert good.status == PipelineRun.Status.SUCCEEDED, good.message
        live = current("production")
        assert live.run == good and live.status == Deployment.Status.LIVE
        assert json.loads(get(live.url + "/v1/info"))["version"] == "0.2.0"
        assert good.stages.get(name="bake").result["observed"]["rates_judged"]
        staging_good = current("staging")

        # a failing unit test stops at build: nothing deployed anywhere
        original_tests = tests.read_text()
        bad = push("Failing test", lambda: tests.write_text(
            original_tests.replace('{"status": "ok"}', '{"status": "nope"}', 1)))  # fmt: skip
        assert bad.status == PipelineRun.Status.FAILED
        assert bad.stages.get(name="build").status == "failed"
        assert not Deployment.objects.filter(run=bad).exists()
        assert (current("staging"), current("production")) == (staging_good, live)

        # a release whose health check fails once deployed: staging rolled back
        tests.write_text(original_tests)
        text = app_py.read_text()
        broken = push("Broken health", lambda: app_py.write_text(
            "import os\n" + text.replace(*BROKEN_HEALTH)))  # fmt: skip
        assert broken.status == PipelineRun.Status.FAILED
        failed = Deployment.objects.get(run=broken)
        assert failed.status == Deployment.Status.FAILED and "answered 500" in failed.message
        assert broken.stages.get(name="staging").result["rolled_back_to"] == staging_good.pk
        assert broken.stages.get(name="production").status == "skipped"
        assert (current("staging"), current("production")) == (staging_good, live)
        assert json.loads(get(staging_good.url + "/v1/info"))["version"] == "0.2.0"
        assert json.loads(get(live.url + "/v1/info"))["version"] == "0.2.0"

        # a release that answers 500s to its users during the bake: stopped before production
        erroring = push("Errors under load", lambda: app_py.write_text(
            "import os\n" + text.replace(*ERRORING_INFO)))  # fmt: skip
        assert erroring.status == PipelineRun.Status.FAILED, erroring.message
        bake = erroring.stages.get(name="bake")
        assert bake.status == "failed" and bake.result["verdict"] == "breached", bake.log
        assert erroring.stages.get(name="production").status == "skipped"
        assert not Deployment.objects.filter(run=erroring, environment__name="production")
        assert current("production") == live
        assert json.loads(get(live.url + "/v1/info"))["version"] == "0.2.0"


def test_a_runs_deployment_waits_for_a_rollback_in_progress(
    repository, member, django_capture_on_commit_callbacks, settings
):
    """Real row locks: a person's rollback and a run's deploy to one environment at the same
    moment take turns; there are never two deployments in progress there."""
    from .test_deploy import start

    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = True, True
    try:
        start(repository, member, django_capture_on_commit_callbacks)
        repository.commit(app(message="hello v2"))
        start(repository, member, django_capture_on_commit_callbacks)
        run = PipelineRun.objects.order_by("-number").first()
        PipelineRun.objects.filter(pk=run.pk).update(status=PipelineRun.Status.RUNNING)
        staging = Environment.objects.get(name="staging")
        barrier, errors, notes = threading.Barrier(2), [], []

        def roll_back():
            try:
                barrier.wait()
                actions.rollback(staging, actor=member, via=Interface.API)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                connection.close()

        def deploy():
            try:
                barrier.wait()
                run.refresh_from_db()
                deployment = deployments.begin(
                    repository.pipeline, "staging", run=run, actor=member, via="job",
                    note=notes.append,
                )  # fmt: skip
                deployments.carry_out(deployment, actor=member, via="job", note=notes.append)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=roll_back), threading.Thread(target=deploy)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = False

    # the rollback may have found the run's deploy in progress and been refused: either way
    # one deployment ran at a time, and the later one saw the earlier one finished
    in_staging = list(Deployment.objects.filter(environment=staging).order_by("pk"))
    assert all(e.__class__.__name__ == "ValidationError" for e in errors), errors
    assert all(d.status != Deployment.Status.DEPLOYING for d in in_staging)
    newest = in_staging[-1]
    assert Environment.objects.get(pk=staging.pk).current == newest
    assert newest.previous.finished_at <= newest.created_at
    assert get(newest.url + "/").startswith("hello")
