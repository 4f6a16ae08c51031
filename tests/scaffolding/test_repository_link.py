"""A repository's URL opened in a browser leads to the service, not to a 404 page."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_a_browser_opening_the_repository_link_lands_on_the_service(service, member):
    browser = Client(HTTP_ACCEPT="text/html")
    browser.force_login(member)

    response = browser.get("/git/checkout.git")

    assert response.status_code == 302
    assert response["Location"] == service.get_absolute_url()
    assert browser.get("/git/checkout.git/").status_code == 302


@pytest.mark.django_db
def test_the_repository_link_of_an_unknown_service_is_not_found(member):
    browser = Client()
    browser.force_login(member)

    assert browser.get("/git/nothing-here.git").status_code == 404


@pytest.mark.django_db
def test_the_repository_link_asks_a_stranger_to_sign_in(service):
    response = Client().get("/git/checkout.git")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
