"""The probes load balancers use: /healthz (process up) and /readyz (database and broker)."""

import pytest

from portal.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_sign_in(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_database_and_broker_ready(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": True, "broker": True}}


def test_readyz_is_unavailable_when_the_broker_is_unreachable(client, monkeypatch):
    # Given a broker address where nothing listens (Celery prefers the environment variable)
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "broker": False}


def test_readyz_is_unavailable_when_the_database_fails(client, monkeypatch):
    from portal import health

    def broken_cursor():
        raise health.connection.Database.OperationalError("database is down")

    monkeypatch.setattr(health.connection, "cursor", broken_cursor)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] is False


def test_pages_need_a_signed_in_user(client):
    response = client.get("/services/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/services/")


def test_login_page_is_public(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert b"Sign in" in response.content
