"""Fixtures of the scaffolding tests: an isolated data folder, eager Celery, helpers."""

import pytest

from portal.celery import app as celery_app
from scaffolding import runner


@pytest.fixture(autouse=True)
def scaffold_dirs(settings, tmp_path):
    """Repositories and work folders of each test in its own temporary folder."""
    settings.KEEL_REPOSITORY_ROOT = tmp_path / "repositories"
    settings.KEEL_SCAFFOLD_WORK_DIR = tmp_path / "work"
    settings.KEEL_REPOSITORY_PROVIDER = "local"
    settings.KEEL_BASE_URL = "http://127.0.0.1:8000"
    return tmp_path


@pytest.fixture
def eager_celery():
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture
def inject():
    """Run a callable before each step: ``inject(lambda run, step: ...)``."""

    def install(hook):
        runner.before_step = hook

    yield install
    runner.before_step = None


def http_params(**overrides):
    return {"slug": "orders", "name": "Orders", "owner_team": "payments", **overrides}


def worker_params(**overrides):
    return {
        "slug": "order-events",
        "name": "Order events",
        "owner_team": "payments",
        "queue_name": "orders.created",
        **overrides,
    }
