"""Fixtures of the catalog-as-code tests."""

import pytest

from portal.celery import app as celery_app


@pytest.fixture
def imports_run_at_once(monkeypatch):
    """A started import is read before the call returns, as a worker would read it once the
    request commits: Celery eager, and the commit hook of the start called at once (the test's
    transaction never commits)."""
    from descriptors import syncing

    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = True
    monkeypatch.setattr(syncing.transaction, "on_commit", lambda callback, **kwargs: callback())
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous
