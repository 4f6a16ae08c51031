"""The pages: an API's changes by version, two versions compared, a breaking version where
consumers acknowledge and providers set a sunset, and what waits on a consuming service."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Api

from .conftest import SDL_BREAKING
from .test_gate import publish


def _page(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_api_page_lists_each_versions_changes_and_what_waits(api, member, shop_consumes):
    publish(api, member, "2.0.0", SDL_BREAKING)
    html = _page(member).get(api.get_absolute_url()).content.decode()
    assert "Changes by version" in html and "current 1.0.0" in html
    assert "Breaking version" in html and "waits for 1 consumer" in html
    assert reverse("contracts:compare", args=["pets"]) + "?base=1.0.0&amp;revision=2.0.0" in html


def test_the_compare_page_groups_the_changes_by_level(api, member):
    publish(api, member, "2.0.0", SDL_BREAKING)
    response = _page(member).get(
        reverse("contracts:compare", args=["pets"]), {"base": "1.0.0", "revision": "2.0.0"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Breaking (2)" in html and "Query.pet was removed." in html
    # the other way round is no stored diff: worked out once for the pair, then kept
    from django.core.cache import cache

    versions = {v.version: v for v in api.versions.all()}
    key = f"contracts:compare:graphql:{versions['2.0.0'].digest}:{versions['1.0.0'].digest}"
    assert cache.get(key) is None
    back = _page(member).get(
        reverse("contracts:compare", args=["pets"]), {"base": "2.0.0", "revision": "1.0.0"}
    )
    assert back.status_code == 200 and cache.get(key)["verdict"] in ("unchanged", "non-breaking")
    missing = _page(member).get(
        reverse("contracts:compare", args=["pets"]), {"base": "9.9.9", "revision": "1.0.0"}
    )
    assert missing.status_code == 404


def test_a_consumer_acknowledges_on_the_page_and_sees_the_deadline(
    api, member, shop_consumes, shop_member, shop
):
    publish(api, member, "2.0.0", SDL_BREAKING)
    url = reverse("contracts:release", args=["pets", "2.0.0"])
    consumer = _page(shop_member)
    service_page = consumer.get(shop.get_absolute_url()).content.decode()
    assert (
        "Breaking changes waiting on" in service_page and "waiting for this service" in service_page
    )
    html = consumer.get(url).content.decode()
    assert "Acknowledge for shop-web" in html and "Sunset the old version" not in html
    # the provider sets a sunset date too soon, then far enough
    provider = _page(member)
    too_soon = provider.post(
        reverse("contracts:sunset", args=["pets", "2.0.0"]), {"sunset_on": "2000-01-01"}
    )
    assert too_soon.status_code == 400 and "or later" in too_soon.content.decode()
    later = timezone.localdate() + timedelta(days=60)
    provider.post(
        reverse("contracts:sunset", args=["pets", "2.0.0"]), {"sunset_on": later.isoformat()}
    )
    assert Api.objects.get(pk=api.pk).current_version == "2.0.0"
    service_page = consumer.get(shop.get_absolute_url()).content.decode()
    assert f'sunset is <strong><time datetime="{later.isoformat()}">' in service_page


def test_the_acknowledge_button_releases_the_version(
    api, member, shop_consumes, shop_member, outsider
):
    publish(api, member, "2.0.0", SDL_BREAKING)
    impact = shop_consumes.contract_impacts.get()
    url = reverse("contracts:acknowledge", args=["pets", "2.0.0", impact.pk])
    assert (
        "Acknowledge for"
        not in _page(outsider)
        .get(reverse("contracts:release", args=["pets", "2.0.0"]))
        .content.decode()
    )
    refused = _page(outsider).post(url, follow=True)
    assert refused.status_code == 403 and Api.objects.get(pk=api.pk).current_version == "1.0.0"
    response = _page(shop_member).post(url, follow=True)
    assert "is ready for 2.0.0" in response.content.decode()
    assert Api.objects.get(pk=api.pk).current_version == "2.0.0"
