"""Sign-in, sign-out and the swappable login view."""

import pytest
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import reverse

from portal.factories import UserFactory


@pytest.mark.django_db
def test_login_page_renders_without_signing_in(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


@pytest.mark.django_db
def test_sign_in_goes_to_the_page_asked_for_and_sign_out_ends_the_session(client):
    UserFactory(username="ada")
    response = client.post(
        reverse("login") + "?next=/teams/",
        {"username": "ada", "password": "keel-password", "next": "/teams/"},
    )
    assert response.status_code == 302 and response["Location"] == "/teams/"
    assert client.get(reverse("overview")).status_code == 200

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("overview")).status_code == 302


@pytest.mark.django_db
def test_wrong_password_shows_an_error(client):
    UserFactory(username="ada")
    response = client.post(reverse("login"), {"username": "ada", "password": "nope"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content


def single_sign_on(request, *args, **kwargs):
    return HttpResponse("sso")


@pytest.mark.django_db
def test_the_login_view_is_swappable_in_settings(client, settings):
    settings.KEEL_LOGIN_VIEW = "tests.pages.test_auth.single_sign_on"
    assert client.get(reverse("login")).content == b"sso"
    settings.KEEL_LOGIN_VIEW = "django.contrib.auth.views.LoginView"
    assert auth_views.LoginView  # the default is Django's own
    assert b'name="password"' in client.get(reverse("login")).content
