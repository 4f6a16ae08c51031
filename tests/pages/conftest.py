"""Fixtures for page tests: signed-in Django test clients and a small catalog."""

import pytest
from django.test import Client

from catalog.factories import (
    ApiConsumptionFactory,
    ApiFactory,
    ApiVersionFactory,
    DataDomainFactory,
    ResourceFactory,
    ServiceFactory,
)
from catalog.models import Lifecycle


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def member_page(member):
    """A client signed in as a member of team ``payments`` (owner of ``checkout``)."""
    return signed_in(member)


@pytest.fixture
def lead_page(lead):
    return signed_in(lead)


@pytest.fixture
def outsider_page(outsider):
    return signed_in(outsider)


@pytest.fixture
def staff_page(staff):
    return signed_in(staff)


@pytest.fixture
def catalog(team, service):
    """checkout (payments) provides checkout-api, consumed by storefront (web team) which
    depends on checkout; checkout owns the orders domain and its database."""
    web = ServiceFactory(
        slug="storefront", name="Storefront", lifecycle=Lifecycle.PRODUCTION, tier=1
    ).owner_team
    storefront = web.services.get()
    domain = DataDomainFactory(slug="orders", name="Orders", owner_service=service)
    ResourceFactory(slug="orders-db", name="Orders DB", service=service, data_domain=domain)
    api = ApiFactory(slug="checkout-api", name="Checkout API", provider=service)
    ApiVersionFactory(api=api, version="1.0.0")
    ApiConsumptionFactory(consumer=storefront, api=api)
    return {
        "service": service,
        "storefront": storefront,
        "web": web,
        "domain": domain,
        "api": api,
    }
