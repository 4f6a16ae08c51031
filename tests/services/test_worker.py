"""A real worker process takes tasks from the real broker."""

import pytest

from portal.tasks import ping

pytestmark = pytest.mark.services


def test_a_task_round_trips_through_broker_and_worker(celery_worker):
    result = ping.delay()

    assert result.get(timeout=20) == "pong"
