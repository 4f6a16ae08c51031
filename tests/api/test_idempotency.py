"""Idempotency-Key on REST creates (issue 8, point 19): the same key answers once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import Service
from portal.api.idempotency import IdempotencyKey
from portal.models import ChangeRecord
from scaffolding.models import ScaffoldRun
from tests.scaffolding.conftest import http_params

KEY = "6f1d3c9e-2b7a-4d0e-9a51-3f4c2e8b7d10"


def create(client, key=KEY, **fields):
    body = {"slug": "orders", "name": "Orders", "owner_team": "payments", **fields}
    return client.post("/api/v1/services/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_the_same_key_returns_the_first_answer_and_creates_once(member_client, team):
    first = create(member_client)
    again = create(member_client)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Service.objects.count() == 1
    assert ChangeRecord.objects.filter(action="create", object_repr="Orders").count() == 1


def test_the_same_key_with_another_body_is_a_conflict(member_client, team):
    create(member_client)

    response = create(member_client, name="Orders v2")

    assert response.status_code == 409
    assert "was used for a different request" in response.json()["detail"]
    assert Service.objects.get().name == "Orders"


def test_keys_belong_to_one_user(member_client, team, lead):
    create(member_client)
    other = APIClient()
    other.force_authenticate(lead)

    response = create(other, slug="orders-2")

    assert response.status_code == 201 and response.json()["slug"] == "orders-2"


def test_a_refused_request_keeps_no_answer_and_can_be_corrected(member_client, team):
    assert create(member_client, slug="con").status_code == 400
    assert not IdempotencyKey.objects.exists()

    assert create(member_client).status_code == 201


def test_an_expired_key_is_forgotten(member_client, team, settings):
    create(member_client)
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = create(member_client, slug="orders-2")

    assert response.status_code == 201 and Service.objects.count() == 2
    assert IdempotencyKey.objects.get().body["slug"] == "orders-2"


def test_a_malformed_key_is_refused(member_client, team):
    response = create(member_client, key="x" * 256)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["detail"]
    assert not Service.objects.exists()


def test_a_scaffold_request_sent_twice_with_one_key_starts_one_run(
    member_client, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.KEEL_REPOSITORY_ROOT = tmp_path / "repositories"
    settings.KEEL_SCAFFOLD_WORK_DIR = tmp_path / "work"
    settings.KEEL_REPOSITORY_PROVIDER = "local"
    body = {"template": "python-http-service", "parameters": http_params()}

    def post(**params):
        data = {**body, "parameters": {**body["parameters"], **params}}
        return member_client.post(
            "/api/v1/scaffold-runs/", data, format="json", HTTP_IDEMPOTENCY_KEY=KEY
        )

    with django_capture_on_commit_callbacks(execute=False):
        first, again, other = post(), post(), post(name="Orders v2")

    assert first.status_code == again.status_code == 202
    assert again.json()["uuid"] == first.json()["uuid"]
    assert other.status_code == 409
    assert ScaffoldRun.objects.count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_create_once_and_answer_alike(member, team):
    # Given two clients sending the same request with the same key at the same moment
    start, answers = threading.Barrier(2), []

    def send():
        client = APIClient()
        client.force_authenticate(member)
        start.wait()
        try:
            answers.append(create(client))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then one service was made and both got its answer
    assert sorted(r.status_code for r in answers) == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert Service.objects.count() == 1
