"""Every page renders for a signed-in user and sends anonymous visitors to the login page."""

import pytest
from django.urls import reverse


def page_urls(catalog):
    return [
        reverse("overview"),
        reverse("catalog:service-list"),
        reverse("catalog:service-detail", args=["checkout"]),
        reverse("catalog:api-list"),
        reverse("catalog:api-detail", args=["checkout-api"]),
        reverse("catalog:domain-list"),
        reverse("catalog:domain-detail", args=["orders"]),
        reverse("teams:list"),
        reverse("teams:detail", args=["payments"]),
        reverse("graph"),
        reverse("search") + "?q=checkout",
        reverse("catalog:api-spec", args=["checkout-api", "1.0.0"]),
    ]


@pytest.mark.django_db
def test_every_page_renders_for_a_signed_in_user(catalog, outsider_page):
    for url in page_urls(catalog):
        response = outsider_page.get(url)
        assert response.status_code == 200, url


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_page(catalog, client):
    for url in page_urls(catalog):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url
