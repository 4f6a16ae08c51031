"""Helpers of the scaffolding service-tier tests: workers with a chosen environment."""

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager

import pytest

from portal.celery import app as celery_app
from tests.services.conftest import ROOT, _database_url


@contextmanager
def worker(*, env=None, pool="solo", concurrency=1):
    """A real Celery worker process on the configured broker, talking to the test database."""
    name = f"scaffold-{uuid.uuid4().hex[:8]}@localhost"
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **(env or {}),
    }
    args = [sys.executable, "-m", "celery", "-A", "portal", "worker", f"--pool={pool}",
            "-n", name, "--without-gossip", "--without-mingle", "--loglevel=WARNING"]  # fmt: skip
    if pool == "prefork":
        args.append(f"--concurrency={concurrency}")
    process = subprocess.Popen(args, cwd=ROOT, env=environment)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if celery_app.control.ping(destination=[name], timeout=0.5):
                break
            if process.poll() is not None:
                pytest.fail(f"The Celery worker exited with code {process.returncode}.")
        else:
            pytest.fail("The Celery worker did not answer a ping within 30 seconds.")
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for(predicate, timeout=60, interval=0.2, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"Timed out after {timeout} s waiting for {message}.")
