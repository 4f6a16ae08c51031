"""Export: the catalog as Backstage-format entities, and the round trip through an import."""

import json

import pytest
import yaml

from catalog.factories import ApiFactory, ServiceFactory
from catalog.models import (
    Api,
    ApiConsumption,
    ApiVersion,
    BusinessDomain,
    Dependency,
    Service,
    System,
    Tag,
)
from descriptors import actions, exporting, importing
from descriptors.models import Entity, Location
from portal.models import Interface
from teams.factories import MembershipFactory, TeamFactory
from teams.models import Membership, Team


@pytest.fixture
def catalog(db):
    payments = TeamFactory(slug="payments", name="Payments")
    MembershipFactory(team=payments, user__username="jane", user__email="jane@example.com")
    TeamFactory(slug="cards", parent=payments)
    domain = BusinessDomain.objects.create(slug="commerce", name="Commerce", owner_team=payments)
    system = System.objects.create(
        slug="checkout", name="Checkout", owner_team=payments, business_domain=domain
    )
    cart = ServiceFactory(slug="cart", owner_team=payments, system=system, lifecycle="production")
    cart.tags.set([Tag.objects.create(name="python")])
    till = ServiceFactory(slug="till", owner_team=payments)
    api = ApiFactory(slug="cart-api", provider=cart, type="openapi")
    ApiConsumption.objects.create(consumer=till, api=api)
    Dependency.objects.create(source=till, target_service=cart)
    return payments


def _keyed(items):
    return {(item["kind"], item["metadata"]["name"]): item for item in items}


def _relations(text):
    return sorted(
        (entity["kind"], entity["metadata"]["name"], r["type"], r["targetRef"])
        for entity in json.loads(text)
        for r in entity["relations"]
    )


def test_the_catalog_is_exported_with_every_relation(catalog):
    items = _keyed(exporting.entities())
    assert set(items) >= {
        ("Group", "payments"), ("Group", "cards"), ("User", "jane"), ("Domain", "commerce"),
        ("System", "checkout"), ("Component", "cart"), ("Component", "till"), ("API", "cart-api"),
    }  # fmt: skip
    cart = items["Component", "cart"]["spec"]
    assert cart["owner"] == "group:default/payments"
    assert cart["system"] == "system:default/checkout"
    assert cart["providesApis"] == ["api:default/cart-api"]
    assert items["Component", "till"]["spec"]["consumesApis"] == ["api:default/cart-api"]
    assert items["Group", "cards"]["spec"]["parent"] == "group:default/payments"
    relations = _relations(exporting.as_json(list(items.values())))
    assert ("Component", "cart", "apiProvidedBy", "api:default/cart-api") not in relations
    assert ("Component", "cart", "providesApi", "api:default/cart-api") in relations
    assert ("API", "cart-api", "apiProvidedBy", "component:default/cart") in relations
    assert ("Group", "payments", "parentOf", "group:default/cards") in relations
    assert ("User", "jane", "memberOf", "group:default/payments") in relations
    assert "jane@example.com" not in exporting.as_yaml(list(items.values()))


def test_export_import_export_gives_the_same_entities_and_relations(catalog, staff):
    first = exporting.entities()
    text = exporting.as_yaml(first)
    # into an empty catalog
    for model in (Dependency, ApiConsumption, ApiVersion, Api, Service, System, BusinessDomain):
        model.objects.all().delete()
    Membership.objects.all().delete()
    Team.objects.filter(parent__isnull=False).delete()
    Team.objects.all().delete()
    location = actions.create_location(
        actor=staff, via=Interface.API, slug="export", name="export",
        type=Location.Type.UPLOAD, content=text,
    )  # fmt: skip
    run = importing.run(location, actor=staff, via=Interface.IMPORT, trigger="manual")
    assert run.refused == 0, list(run.problems.values_list("message", flat=True))
    assert Entity.objects.count() == len(first)
    second = exporting.entities()
    assert _keyed(second) == _keyed(first)
    assert _relations(exporting.as_json(second)) == _relations(exporting.as_json(first))
    assert yaml.safe_load_all(exporting.as_yaml(second))
