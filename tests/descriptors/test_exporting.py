"""Export: the catalog as Backstage-format entities, and the round trip through an import."""

import json

import pytest
import yaml

from catalog.factories import ApiFactory, ResourceFactory, ServiceFactory
from catalog.models import (
    Api,
    ApiConsumption,
    ApiVersion,
    BusinessDomain,
    Dependency,
    Resource,
    Service,
    System,
    Tag,
)
from descriptors import actions, exporting, importing
from descriptors.models import Entity, Location
from portal.models import ChangeRecord, Interface
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
    # a service's own resource, and one its team owns directly with a type Keel does not name
    cart_db = ResourceFactory(slug="cart-db", service=cart, kind="database")
    receipts = ResourceFactory(
        slug="receipts", service=None, owner_team=payments, kind="bucket", type="s3-bucket",
        system=system,
    )  # fmt: skip
    Dependency.objects.create(source=cart, target_resource=cart_db)
    Dependency.objects.create(source=till, target_resource=receipts)
    return payments


def _resources():
    return sorted(
        Resource.objects.values_list(
            "slug", "kind", "type", "owner_team__slug", "service__slug", "system__slug"
        )
    )


def _resource_edges():
    return sorted(
        Dependency.objects.filter(target_resource__isnull=False).values_list(
            "source__slug", "target_resource__slug"
        )
    )


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
    receipts = items["Resource", "receipts"]
    assert receipts["spec"] == {
        "type": "s3-bucket", "owner": "group:default/payments", "system": "system:default/checkout"
    }  # fmt: skip
    assert items["Resource", "cart-db"]["metadata"]["annotations"] == {"keel/service": "cart"}
    assert "resource:default/cart-db" in cart["dependsOn"]
    assert ("Resource", "receipts", "ownedBy", "group:default/payments") in relations
    assert ("Group", "payments", "ownerOf", "resource:default/receipts") in relations
    assert ("Resource", "receipts", "partOf", "system:default/checkout") in relations
    assert ("System", "checkout", "hasPart", "resource:default/receipts") in relations
    assert ("Component", "till", "dependsOn", "resource:default/receipts") in relations
    assert ("Resource", "receipts", "dependencyOf", "component:default/till") in relations


def test_export_import_export_gives_the_same_entities_and_relations(catalog, staff):
    first = exporting.entities()
    text = exporting.as_yaml(first)
    resources, resource_edges = _resources(), _resource_edges()
    # into an empty catalog
    for model in (
        Dependency, ApiConsumption, ApiVersion, Api, Resource, Service, System, BusinessDomain
    ):  # fmt: skip
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
    assert _resources() == resources and len(resources) == 2
    assert _resource_edges() == resource_edges == [("cart", "cart-db"), ("till", "receipts")]
    before = ChangeRecord.objects.count()
    again = importing.run(location, actor=staff, via=Interface.IMPORT, trigger="manual")
    assert (again.created, again.updated) == (0, 0)
    assert ChangeRecord.objects.count() == before
