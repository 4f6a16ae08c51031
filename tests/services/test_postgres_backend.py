"""The PostgreSQL backend's health check (portal/postgres): a connection the server dropped
is replaced before the next request's first query, and a healthy one costs no round trip."""

import select

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

pytestmark = [pytest.mark.services, pytest.mark.django_db]


@pytest.fixture
def other():
    """A second connection to the test database, as a web process holds between requests."""
    wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
    wrapper.ensure_connection()
    assert wrapper.health_check_enabled
    yield wrapper
    wrapper.close()


def backend_pid(wrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def next_request(wrapper) -> None:
    """What Django does when a request starts: the health check runs before its first query."""
    wrapper.health_check_done = False


def test_a_connection_the_server_dropped_is_replaced_before_the_next_query(other):
    dropped = backend_pid(other)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [dropped])
    poller = select.poll()
    poller.register(other.connection.fileno(), select.POLLIN)
    assert poller.poll(5000), "the server's goodbye never arrived"

    next_request(other)

    assert backend_pid(other) != dropped  # the query ran, on a new connection


def test_a_healthy_connection_is_kept_without_a_round_trip(other, monkeypatch):
    kept = other.connection
    pid = backend_pid(other)
    monkeypatch.setattr(other, "is_usable", lambda: pytest.fail("the check sent a query"))

    next_request(other)
    other.close_if_health_check_failed()

    assert other.connection is kept
    assert backend_pid(other) == pid
