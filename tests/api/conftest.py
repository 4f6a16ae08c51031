"""Fixtures and helpers for the REST API tests."""

from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from catalog import actions
from catalog.factories import (
    ApiConsumptionFactory,
    ApiFactory,
    ApiVersionFactory,
    BusinessDomainFactory,
    DataDomainFactory,
    DependencyFactory,
    ResourceFactory,
    ServiceFactory,
    SystemFactory,
)
from catalog.models import (
    Api,
    ApiConsumption,
    ApiVersion,
    BusinessDomain,
    DataDomain,
    Dependency,
    Resource,
    Service,
    System,
    Tag,
)
from descriptors.actions import create_location
from portal.audit import system_actor
from portal.models import ChangeRecord, Interface
from scaffolding.models import Pipeline
from teams.models import Membership, Team

_COUNTED = (
    Team,
    Membership,
    Service,
    Tag,
    Api,
    ApiVersion,
    DataDomain,
    Resource,
    Dependency,
    ApiConsumption,
    System,
    BusinessDomain,
    ChangeRecord,
)


def db_state() -> dict:
    """Row counts of every model the API writes, history included: a refused request must
    leave all of them as they were."""
    return {model.__name__: model.objects.count() for model in _COUNTED}


def api_records(**filters):
    return ChangeRecord.objects.filter(interface=Interface.API, **filters)


@pytest.fixture
def client_for(db):
    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def lead_client(client_for, lead):
    return client_for(lead)


@pytest.fixture
def staff_client(client_for, staff):
    return client_for(staff)


@pytest.fixture
def outsider_client(client_for, outsider):
    return client_for(outsider)


@pytest.fixture
def world(team, lead, member, outsider, service):
    """A small catalog around team payments (lead, member) and team search (outsider).

    payments owns checkout, ledger and spare; search owns finder. checkout provides
    checkout-api (version 1.0.0), owns domain orders and resource orders-db, depends on
    ledger and consumes finder-api. Payments owns business domain commerce and its system
    shop, which checkout and checkout-api are part of. Payments reads descriptors from the
    upload location cart-file (never imported).
    """
    search = Team.objects.get(slug="search")
    ledger = ServiceFactory(slug="ledger", owner_team=team)
    spare = ServiceFactory(slug="spare", owner_team=team)
    finder = ServiceFactory(slug="finder", owner_team=search)
    api = ApiFactory(slug="checkout-api", provider=service)
    ApiVersionFactory(api=api, version="1.0.0")
    finder_api = ApiFactory(slug="finder-api", provider=finder)
    commerce = BusinessDomainFactory(slug="commerce", owner_team=team)
    shop = SystemFactory(slug="shop", owner_team=team, business_domain=commerce)
    actions.update_service(service, actor=system_actor(), via=Interface.CLI, system=shop)
    actions.update_api(api, actor=system_actor(), via=Interface.CLI, system=shop)
    return SimpleNamespace(
        team=team,
        search=search,
        lead=lead,
        member=member,
        outsider=outsider,
        checkout=service,
        ledger=ledger,
        spare=spare,
        finder=finder,
        api=api,
        spare_api=ApiFactory(slug="spare-api", provider=spare),
        finder_api=finder_api,
        domain=DataDomainFactory(slug="orders", owner_service=service),
        resource=ResourceFactory(slug="orders-db", service=service),
        dependency=DependencyFactory(source=service, target_service=ledger),
        consumption=ApiConsumptionFactory(consumer=service, api=finder_api),
        business_domain=commerce,
        system=shop,
        location=create_location(
            actor=lead,
            via=Interface.CLI,
            owner_team=team,
            slug="cart-file",
            name="Cart",
            type="upload",
            content="kind: Component\nmetadata: {name: cart}\n",
        ),  # fmt: skip
        pipeline=Pipeline.objects.create(
            slug="checkout",
            owner_team=team,
            service=service,
            repository_url="https://github.com/acme/checkout.git",
        ),  # fmt: skip
    )
