"""Catalog sync on PostgreSQL, Redis and real workers: a push through Keel's smart-HTTP
endpoint changes the catalog within seconds, and a worker killed mid-read leaves no run
"running"."""

import os
import signal
import socket
import subprocess

import pytest
import yaml

from accounts.factories import ApiTokenFactory
from catalog.models import Service
from descriptors import actions as descriptor_actions
from descriptors import syncing
from descriptors.models import ImportRun, Location
from portal.models import Interface
from scaffolding import actions
from scaffolding.models import ScaffoldRun
from tests.scaffolding.conftest import http_params
from tests.scaffolding.services_helpers import wait_for, worker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_env(settings, tmp_path, live_server):
    settings.KEEL_REPOSITORY_ROOT = tmp_path / "repositories"
    settings.KEEL_BASE_URL = live_server.url
    return {
        "KEEL_REPOSITORY_ROOT": str(tmp_path / "repositories"),
        "KEEL_BASE_URL": live_server.url,
        "KEEL_REPOSITORY_PROVIDER": "local",
        "KEEL_CATALOG_SYNC_TICK_SECONDS": "0.5",
    }


def git(*args, cwd=None):
    env = {"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin", "HOME": "/tmp",
           "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.com",
           "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.com"}  # fmt: skip
    done = subprocess.run(
        ["git", "-c", "credential.helper=", *args], cwd=cwd, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done


def finished(run):
    def check():
        run.refresh_from_db()
        return run.status in ("succeeded", "failed")

    return check


def test_a_push_of_a_changed_descriptor_changes_the_catalog_within_seconds(
    member, team, worker_env, live_server, tmp_path
):
    with worker(env=worker_env):
        # Given a scaffolded service whose repository is registered as a location
        scaffold = actions.request_scaffold(
            actor=member, via="ui", template="python-http-service", parameters=http_params()
        )
        wait_for(lambda: ScaffoldRun.objects.get(pk=scaffold.pk).is_finished, timeout=90)
        location = descriptor_actions.create_location(
            actor=member, via=Interface.UI, owner_team=team, slug="orders-repo", name="Orders",
            type=Location.Type.GIT, target="keel:orders",
        )  # fmt: skip
        first = syncing.request_sync(location, trigger=ImportRun.Trigger.MANUAL, actor=member)
        wait_for(finished(first), timeout=30, message="the first read")
        assert first.status == "succeeded", (first.message, list(first.problems.all()))
        assert Service.objects.get(slug="orders").lifecycle == "experimental"

        # When its descriptor is changed in a clone and pushed over Keel's smart HTTP
        token = ApiTokenFactory(user=member)
        host = live_server.url.removeprefix("http://")
        clone = tmp_path / "clone"
        git("clone", f"http://{member.username}:{token.key}@{host}/git/orders.git", str(clone))
        descriptor = yaml.safe_load((clone / "catalog-info.yaml").read_text())
        descriptor["spec"]["lifecycle"] = "production"
        descriptor["metadata"]["description"] = "Takes orders, and refunds them"
        (clone / "catalog-info.yaml").write_text(yaml.safe_dump(descriptor, sort_keys=False))
        git("commit", "-qam", "Orders go to production", cwd=clone)
        git("push", "-q", "origin", "main", cwd=clone)
        head = git("rev-parse", "HEAD", cwd=clone).stdout.strip()

        # Then the catalog follows within seconds, read at the pushed commit
        wait_for(
            lambda: Service.objects.get(slug="orders").lifecycle == "production",
            timeout=15,
            message="the pushed descriptor to reach the catalog",
        )
    service = Service.objects.get(slug="orders")
    assert service.description == "Takes orders, and refunds them"
    pushed = location.runs.get(trigger=ImportRun.Trigger.PUSH)
    assert (pushed.status, pushed.commit, pushed.updated) == ("succeeded", head, 1)


@pytest.fixture
def silent_host():
    """An address that accepts connections and never answers: a read of it hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/acme/orders.git"
    listener.close()


def test_a_worker_killed_mid_read_leaves_no_run_running(staff, worker_env, silent_host):
    env = {
        **worker_env,
        "KEEL_CATALOG_SYNC_LEASE_SECONDS": "2",
        "KEEL_DESCRIPTOR_GIT_TIMEOUT": "120",
    }
    # Given a worker in the middle of a read (a solo worker busy reading answers no ping, so
    # the location is registered once it has answered)
    with worker(env=env) as first:
        location = descriptor_actions.create_location(
            actor=staff, via=Interface.UI, slug="silent", name="Silent",
            type=Location.Type.GIT, target=silent_host,
        )  # fmt: skip
        run = syncing.request_sync(location, trigger=ImportRun.Trigger.MANUAL, actor=staff)

        def reading():
            run.refresh_from_db()
            return run.status == "running"

        wait_for(reading, timeout=30, message="the read to start")
        # When the worker is killed
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    run.refresh_from_db()
    assert run.status == "running"

    # Then the next worker's own timer fails the run once its lease has run out
    with worker(env=env):
        wait_for(finished(run), timeout=20, message="the dead read to be failed")
    assert run.status == "failed" and "stopped before it finished" in run.message
    assert not location.runs.filter(status="running").exists()
