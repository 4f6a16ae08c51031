"""The id of the request or job in progress: on every ChangeRecord it writes and every log line.

``portal.middleware.RequestIdMiddleware`` binds one per HTTP request (and answers it in the
``X-Request-ID`` header); every Celery task gets its own (``job-<task id>``); a management
command may bind one with ``bound()``. With the id in both places, "which request made this
change?" and "what did that request log?" are one lookup each.
"""

import logging
import re
import uuid
from contextlib import contextmanager
from contextvars import ContextVar

from celery.signals import task_postrun, task_prerun

_current: ContextVar[str] = ContextVar("keel_request_id", default="")
_tokens: dict = {}  # task id -> the token that restores the id bound before the task

# A client may pass its own id (a proxy's, a CI job's) as long as it is short and plain.
_ACCEPTED = re.compile(r"^[A-Za-z0-9._:-]{8,64}\Z")


def current() -> str:
    return _current.get()


def new_id() -> str:
    return uuid.uuid4().hex


def accepted(candidate: str | None) -> str:
    """The client's id when it is safe to log and store, otherwise a fresh one."""
    return candidate if candidate and _ACCEPTED.match(candidate) else new_id()


@contextmanager
def bound(value: str):
    token = _current.set(value)
    try:
        yield value
    finally:
        _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every log record ("-" outside a request or job)."""

    def filter(self, record):
        record.request_id = _current.get() or "-"
        return True


@task_prerun.connect
def _bind_job_id(task_id=None, **kwargs):
    _tokens[task_id] = _current.set(f"job-{task_id}")


@task_postrun.connect
def _unbind_job_id(task_id=None, **kwargs):
    token = _tokens.pop(task_id, None)
    if token is not None:
        _current.reset(token)
