"""The service tier: PostgreSQL, Redis and real Celery worker processes.

- the end-to-end proof: the form, a worker, a git clone over HTTP, the generated project's own
  tests, and the service in REST and GraphQL;
- twenty concurrent identical submissions make one service, one repository, one pipeline;
- a worker killed in the middle of a run: the run is resumed by the next worker.
"""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.factories import ApiTokenFactory
from catalog.models import Service
from portal.factories import UserFactory
from scaffolding import actions
from scaffolding.models import Pipeline, ScaffoldRun
from scaffolding.tasks import run_scaffold
from teams.factories import MembershipFactory

from .conftest import http_params
from .graphql import execute
from .services_helpers import wait_for, worker

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.scaffolding.urls"),
]


@pytest.fixture
def worker_env(scaffold_dirs, live_server):
    return {
        "KEEL_REPOSITORY_ROOT": str(scaffold_dirs / "repositories"),
        "KEEL_BASE_URL": live_server.url,
        "KEEL_REPOSITORY_PROVIDER": "local",
    }


@pytest.fixture(autouse=True)
def base_url(settings, live_server):
    settings.KEEL_BASE_URL = live_server.url


def finished(run):
    def check():
        run.refresh_from_db()
        return run.is_finished

    return check


def repositories(root):
    return sorted(p.name for p in (root / "repositories").iterdir() if not p.name.startswith("."))


def git(*args, cwd=None):
    env = {"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    return subprocess.run(
        ["git", "-c", "credential.helper=", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


SERVICE_QUERY = """
query($slug: String!) {
  service(slug: $slug) {
    slug ownerTeam { slug } repositoryUrl pipelineUrl providedApis { slug }
  }
  pipeline(slug: $slug) { slug service { slug } stages { name onFailure } }
}"""


def test_end_to_end_form_to_cloned_tested_and_registered_service(
    client, member, worker_env, live_server, scaffold_dirs, tmp_path
):
    with worker(env=worker_env):
        # Given a team member on the form
        client.force_login(member)
        response = client.post(
            "/create/",
            {"template": "python-http-service", **http_params(description="Takes orders"),
             "tier": 2, "lifecycle": "experimental", "python_version": "3.11", "port": 8080},
        )  # fmt: skip
        assert response.status_code == 302
        run = ScaffoldRun.objects.get()

        # When the worker has done its job
        wait_for(finished(run), timeout=90, message="the run to finish")
    assert run.status == "succeeded", run.error

    # Then the repository clones over HTTP with a token
    token = ApiTokenFactory(user=member)
    host = live_server.url.removeprefix("http://")
    clone = tmp_path / "orders"
    cloned = git("clone", f"http://{member.username}:{token.key}@{host}/git/orders.git", str(clone))
    assert cloned.returncode == 0, cloned.stderr
    assert (clone / "catalog-info.yaml").is_file() and (
        clone / ".github/workflows/delivery.yml"
    ).is_file()

    # and its own unit tests pass in a fresh virtual environment
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    installed = subprocess.run(
        [str(venv / "bin/pip"), "install", "--quiet", "--require-hashes", "-r", "requirements.txt"],
        cwd=clone, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    tested = subprocess.run(
        [str(venv / "bin/python"), "-m", "unittest", "discover", "-s", "tests", "-v"],
        cwd=clone, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert tested.returncode == 0, tested.stderr
    assert "OK" in tested.stderr

    # and the service is in REST with its owner, API and pipeline
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    service = api.get("/api/v1/services/orders/").json()
    assert service["owner_team"] == "payments"
    assert (service["template"], service["template_version"]) == ("python-http-service", "1.3.0")
    assert service["repository_url"] == f"{live_server.url}/git/orders.git"
    assert service["pipeline_url"] == f"{live_server.url}/pipelines/orders/"
    assert [a["slug"] for a in service["provided_apis"]] == ["orders-api"]
    pipeline = api.get("/api/v1/pipelines/orders/").json()
    assert pipeline["service"] == "orders" and len(pipeline["stages"]) == 5
    rest_run = api.get(f"/api/v1/scaffold-runs/{run.uuid}/").json()
    assert rest_run["status"] == "succeeded" and rest_run["service"] == "orders"

    # and in GraphQL
    data = execute(member, SERVICE_QUERY, slug="orders")
    assert data["service"]["ownerTeam"]["slug"] == "payments"
    assert data["service"]["providedApis"] == [{"slug": "orders-api"}]
    assert data["pipeline"]["service"]["slug"] == "orders"
    assert [s["name"] for s in data["pipeline"]["stages"]] == [
        "build", "package", "staging", "bake", "production"
    ]  # fmt: skip


def _race(count, work):
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def go(i):
        try:
            barrier.wait()
            outcomes[i] = work(i)
        except Exception as error:  # noqa: BLE001 - the outcome is what we assert on
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_twenty_concurrent_identical_submissions_make_one_of_everything(
    member, team, worker_env, scaffold_dirs
):
    with worker(env=worker_env, pool="prefork", concurrency=4):
        # When the same person submits the same form twenty times at once
        outcomes = _race(
            20,
            lambda i: actions.request_scaffold(
                actor=member, via="ui", template="python-http-service", parameters=http_params()
            ),
        )
        # Then each got the one run
        assert all(isinstance(o, ScaffoldRun) for o in outcomes), outcomes
        assert len({o.pk for o in outcomes}) == 1
        run = ScaffoldRun.objects.get()
        # and the task, delivered twenty more times at once, still runs it once
        for _ in range(20):
            run_scaffold.delay(str(run.uuid))
        wait_for(finished(run), timeout=90, message="the run to finish")

    assert run.status == "succeeded", run.error
    assert Service.objects.filter(slug="orders").count() == 1
    assert Pipeline.objects.count() == 1
    assert repositories(scaffold_dirs) == ["orders.git"]


def test_twenty_people_racing_for_one_name_make_one_service(team, worker_env, scaffold_dirs):
    people = [MembershipFactory(team=team).user for _ in range(9)] + [
        UserFactory(is_staff=True) for _ in range(11)
    ]
    with worker(env=worker_env):
        outcomes = _race(
            20,
            lambda i: actions.request_scaffold(
                actor=people[i], via="api", template="python-http-service",
                parameters=http_params(description=f"asked by {i}"),
            ),
        )  # fmt: skip
        runs = [o for o in outcomes if isinstance(o, ScaffoldRun)]
        assert len(runs) == 1, outcomes
        refusals = [o for o in outcomes if not isinstance(o, ScaffoldRun)]
        assert all("already being created" in str(r) for r in refusals), refusals
        wait_for(finished(runs[0]), timeout=90, message="the run to finish")

    assert runs[0].status == "succeeded", runs[0].error
    assert Service.objects.count() == 1 and Pipeline.objects.count() == 1
    assert repositories(scaffold_dirs) == ["orders.git"]


def test_a_worker_killed_mid_run_leaves_a_run_that_the_next_worker_resumes(
    member, worker_env, scaffold_dirs, tmp_path, django_capture_on_commit_callbacks
):
    flag = tmp_path / "slow-push"
    flag.touch()
    env = {
        **worker_env,
        "KEEL_REPOSITORY_PROVIDER": "tests.scaffolding.slow_provider.SlowLocalProvider",
        "KEEL_TEST_SLOW_PUSH_FLAG": str(flag),
        "KEEL_SCAFFOLD_LEASE_SECONDS": "3",
    }
    # Given a worker in the middle of the push step
    with worker(env=env) as first:
        run = actions.request_scaffold(
            actor=member, via="ui", template="python-http-service", parameters=http_params()
        )

        def pushing():
            run.refresh_from_db()
            return run.current_step == "push" and run.status == "running"

        wait_for(pushing, timeout=60, message="the push step")
        # When the worker is killed
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    flag.unlink()
    run.refresh_from_db()
    assert run.status == "running" and run.attempts == 1

    # Then the next worker to start resumes the run once its lease has run out
    wait_for(
        lambda: ScaffoldRun.objects.stalled().filter(pk=run.pk).exists(),
        timeout=10,
        message="the lease to run out",
    )
    with worker(env=env):
        wait_for(finished(run), timeout=90, message="the resumed run to finish")

    assert run.status == "succeeded", run.error
    assert run.attempts == 2
    messages = " ".join(run.log_entries.values_list("message", flat=True))
    assert "The worker stopped during step push; sending the run again." in messages
    assert Service.objects.count() == 1 and Pipeline.objects.count() == 1
    assert repositories(scaffold_dirs) == ["orders.git"]


def test_a_killed_pool_process_is_recovered_by_its_own_worker_without_beat(
    member, worker_env, scaffold_dirs, tmp_path
):
    flag = tmp_path / "slow-push"
    flag.touch()
    env = {
        **worker_env,
        "KEEL_REPOSITORY_PROVIDER": "tests.scaffolding.slow_provider.SlowLocalProvider",
        "KEEL_TEST_SLOW_PUSH_FLAG": str(flag),
        "KEEL_SCAFFOLD_LEASE_SECONDS": "3",
        "KEEL_SCAFFOLD_REAP_SECONDS": "1",
    }
    # Given the documented setup: one prefork worker, no beat, a run in its push step
    with worker(env=env, pool="prefork") as main:
        run = actions.request_scaffold(
            actor=member, via="ui", template="python-http-service", parameters=http_params()
        )

        def pushing():
            run.refresh_from_db()
            return run.current_step == "push" and run.status == "running"

        wait_for(pushing, timeout=60, message="the push step")

        # When the pool process running it is killed (the worker itself lives on)
        children = Path(f"/proc/{main.pid}/task/{main.pid}/children").read_text().split()
        os.kill(int(children[0]), signal.SIGKILL)
        flag.unlink()

        # Then the same worker's reaper timer resumes it, with nobody running a command
        wait_for(finished(run), timeout=90, message="the resumed run to finish")

    assert run.status == "succeeded", run.error
    assert run.attempts == 2
    assert repositories(scaffold_dirs) == ["orders.git"]
