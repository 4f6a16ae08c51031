"""The history has no holes (issue 8, point 3): cascades, publishing, tags, bulk writes, and the
generation that every recorded write moves."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from catalog import actions
from catalog.factories import (
    ApiConsumptionFactory,
    ApiFactory,
    ApiVersionFactory,
    DependencyFactory,
    ResourceFactory,
    ServiceFactory,
)
from catalog.models import ApiConsumption, Dependency, Tag
from portal.audit import generation, history_for, system_actor
from portal.models import ChangeRecord

pytestmark = pytest.mark.django_db


def test_deleting_a_service_records_each_object_that_goes_with_it_on_its_history(
    team, service, member
):
    # Given a service with an API and versions, a resource, a consumption and dependencies
    api = ApiFactory(provider=service, slug="checkout-api", name="Checkout API")
    ApiVersionFactory(api=api, version="1.0.0")
    ResourceFactory(service=service, slug="checkout-db", name="Checkout DB")
    other = ServiceFactory(owner_team=team, slug="ledger")
    consumption = ApiConsumptionFactory(consumer=service, api=ApiFactory(provider=other))
    DependencyFactory(source=service, target_service=ServiceFactory(owner_team=team, slug="tax"))
    before = ChangeRecord.objects.count()

    # When the service is deleted
    actions.delete_service(service, actor=member, via="api")

    # Then there is one delete record per removed object, each by the same actor,
    # and all of them are shown on the service's history
    records = ChangeRecord.objects.filter(pk__gt=0).order_by("id")[before:]
    removed = {(r.content_type.model, r.object_repr) for r in records}
    assert {
        ("service", "Checkout"),
        ("api", "Checkout API"),
        ("apiversion", "checkout-api 1.0.0"),
        ("versiondiff", "diff of checkout-api 1.0.0"),  # contracts' diff of the version
        ("resource", "Checkout DB"),
        ("apiconsumption", str(consumption)),
        ("dependency", "checkout → Ledger"),  # implied by the consumption
        ("dependency", "checkout → Tax"),
    } == removed
    assert {(r.action, r.actor, r.interface) for r in records} == {("delete", member, "api")}
    shown = list(history_for(service))
    assert {r.pk for r in records} <= {r.pk for r in shown}
    # and each removed object's own snapshot is kept
    api_record = next(r for r in records if r.content_type.model == "api")
    assert api_record.before["slug"] == "checkout-api"


def test_an_update_a_delete_causes_is_recorded_too(team, service):
    # Given a data domain that two services belong to
    domain = actions.create_domain(
        actor=system_actor(), via="ui", owner_service=service, slug="orders", name="Orders"
    )
    member_service = ServiceFactory(owner_team=team, slug="ledger", data_domain=domain)

    # When the domain is deleted (its services lose it: a foreign key set to null)
    actions.delete_domain(domain, actor=system_actor(), via="ui")

    # Then the service's change is recorded, shown on the domain's history
    record = history_for(domain).get(action="update")
    assert record.object_id == member_service.pk
    assert (record.before["data_domain"], record.after["data_domain"]) == ("orders", None)


def test_publishing_a_version_shows_on_the_apis_history(service, member):
    api = ApiFactory(provider=service)

    version = actions.publish_api_version(
        api,
        actor=member,
        via="ui",
        version="2.0.0",
        spec=ApiVersionFactory.build(api=api).spec,
    )

    record = history_for(api).get(action="publish")
    assert (record.action, record.object_id, record.actor) == ("publish", version.pk, member)
    assert record.after["version"] == "2.0.0"
    # and the API now points its consumers at it (catalog.publishing), recorded beside
    moved = history_for(api).get(action="update", object_id=api.pk)
    assert (moved.before["current_version"], moved.after["current_version"]) == ("", "2.0.0")


def test_a_new_tag_is_recorded_once(team, member):
    actions.create_service(
        actor=member, via="ui", owner_team=team, slug="a1", name="A", tags=["pci", "gdpr"]
    )
    actions.create_service(
        actor=member, via="ui", owner_team=team, slug="b1", name="B", tags=["pci"]
    )

    records = ChangeRecord.objects.filter(content_type__model="tag")
    assert sorted(r.object_repr for r in records) == ["gdpr", "pci"]
    assert {r.actor for r in records} == {member}
    assert Tag.objects.count() == 2


def test_removing_a_dependency_that_a_consumption_implies_is_refused(team, service):
    consumer = ServiceFactory(owner_team=team, slug="web")
    ApiConsumptionFactory(consumer=consumer, api=ApiFactory(provider=service, slug="checkout-api"))
    edge = Dependency.objects.get(source=consumer, target_service=service)

    with pytest.raises(ValidationError) as excinfo:
        actions.remove_dependency(edge, actor=system_actor(), via="ui")

    assert excinfo.value.messages == [
        "web consumes checkout-api of checkout, which implies this dependency: remove the "
        "consumption first."
    ]
    assert Dependency.objects.filter(pk=edge.pk).exists()

    # Once the consumption is gone, the dependency may go
    actions.remove_consumption(ApiConsumption.objects.get(), actor=system_actor(), via="ui")
    actions.remove_dependency(edge, actor=system_actor(), via="ui")
    assert not Dependency.objects.exists()


def test_every_recorded_write_moves_the_generation(team, service):
    start = generation()
    actions.update_service(service, actor=system_actor(), via="ui", tier=1)
    after_update = generation()
    actions.delete_service(service, actor=system_actor(), via="ui")

    assert start < after_update < generation()


def test_a_compound_write_moves_the_generation_once_at_its_end(team, service):
    # add_consumption writes two objects in one transaction: one step of the generation
    web = ServiceFactory(owner_team=team, slug="web")
    api = ApiFactory(provider=service)
    start = generation()

    actions.add_consumption(actor=system_actor(), via="ui", consumer=web, api=api)

    assert generation() == start + 1
    assert (
        ChangeRecord.objects.filter(
            content_type__model__in=["apiconsumption", "dependency"]
        ).count()
        == 2
    )


def test_generate_catalog_records_each_bulk_and_moves_the_generation(db):
    start = generation()

    call_command("generate_catalog", services=8, dependencies=10, seed=3)
    generated = generation()
    call_command("generate_catalog", services=8, dependencies=10, seed=3, clear=True)

    assert start < generated < generation()
    bulks = list(ChangeRecord.objects.filter(action="bulk").order_by("id"))
    assert [(r.interface, r.actor_name) for r in bulks] == [("cli", "system")] * 3
    assert bulks[0].after["generated"]["services"] == 8
    assert bulks[1].after["deleted"]["catalog.Service"] == 8
    assert all(r.request_id.startswith("cli-") for r in bulks)


def test_caches_see_a_generated_catalog_at_once(member_client):
    from catalog.graph import DependencyGraph

    # Given a cached list and graph of an empty catalog
    assert member_client.get("/api/v1/services/").json()["count"] == 0
    assert not DependencyGraph.current().down

    # When a catalog is generated around the actions
    call_command("generate_catalog", services=8, dependencies=10, seed=3)

    # Then both answer with it at once, not after the cache timeout
    assert member_client.get("/api/v1/services/").json()["count"] == 8
    assert sum(len(t) for t in DependencyGraph.current().down.values()) == 10
