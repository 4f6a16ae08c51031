"""The service tier: a real Celery worker process on the configured broker (Redis in CI),
talking to the same test database as the tests."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    """The test database's URL, so the worker writes where the test reads."""
    s = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.fail("The service tier runs on PostgreSQL: set DATABASE_URL.")
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@pytest.fixture
def celery_worker(transactional_db):
    """Start a worker for one test; wait until it answers a ping; stop it afterwards."""
    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_TASK_ALWAYS_EAGER": "false"}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-n", name,
         "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
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
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
