"""Sign-in lockout (django-axes): five failures per account or per address pause signing in,
the right password included, until the cool-off has passed."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from portal.factories import UserFactory

LOGIN = reverse("login")


def _sign_in(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(client) -> bool:
    return client.get(reverse("overview")).status_code == 200


def _fail(client, username, times, address="10.0.0.1"):
    return [_sign_in(client, username, f"wrong-{n}", address).status_code for n in range(times)]


@pytest.fixture
def ada(db):
    return UserFactory(username="ada")


def test_after_five_failures_the_right_password_is_refused(client, ada):
    statuses = _fail(client, "ada", 5)

    refused = _sign_in(client, "ada", "keel-password")

    assert statuses == [200, 200, 200, 200, 429]
    assert refused.status_code == 429 and not _signed_in(client)
    assert "Sign-in paused" in refused.content.decode()
    assert "Try again in 15 minutes" in refused.content.decode()
    assert refused["Retry-After"] == str(15 * 60)


def test_four_failures_still_let_the_right_password_in(client, ada):
    _fail(client, "ada", 4)
    assert _sign_in(client, "ada", "keel-password").status_code == 302
    assert _signed_in(client)


def test_the_pause_ends_after_the_cool_off(client, ada):
    _fail(client, "ada", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert _sign_in(client, "ada", "keel-password").status_code == 302
    assert _signed_in(client)


def test_an_account_is_paused_from_every_address(client, ada):
    for n in range(5):
        _fail(client, "ada", 1, address=f"10.0.1.{n}")
    assert _sign_in(client, "ada", "keel-password", address="10.0.2.1").status_code == 429


def test_an_address_trying_many_accounts_is_paused(client, ada):
    for n in range(5):
        _sign_in(client, f"guess{n}", "password")
    # another account from the same address waits too; elsewhere it signs in
    assert _sign_in(client, "ada", "keel-password").status_code == 429
    assert _sign_in(client, "ada", "keel-password", address="10.0.9.9").status_code == 302


def test_a_staff_account_is_paused_and_the_admin_is_no_side_door(client, db):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    _fail(client, "root", 5)

    admin_login = client.post(
        "/admin/login/", {"username": "root", "password": "keel-password"}, REMOTE_ADDR="10.0.0.1"
    )

    assert admin_login.status_code in (302, 429)
    assert client.get("/admin/").status_code == 302  # still sent to sign in
    assert _sign_in(client, "root", "keel-password").status_code == 429


def test_behind_trusted_proxies_the_forwarded_client_is_counted(client, ada, settings):
    settings.KEEL_TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        client.post(
            LOGIN,
            {"username": f"guess{n}", "password": "x"},
            REMOTE_ADDR="192.168.0.1",
            HTTP_X_FORWARDED_FOR="spoofed, 10.0.0.7",
        )
    # the proxy's other clients are not paused; the forwarded client is
    ok = client.post(
        LOGIN,
        {"username": "ada", "password": "keel-password"},
        REMOTE_ADDR="192.168.0.1",
        HTTP_X_FORWARDED_FOR="10.0.0.8",
    )
    assert ok.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.7"}
