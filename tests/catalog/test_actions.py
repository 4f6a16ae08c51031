"""The catalog's write path: every write is one transaction with exactly one ChangeRecord."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from catalog import actions
from catalog.factories import (
    ApiConsumptionFactory,
    ApiFactory,
    ApiVersionFactory,
    DataDomainFactory,
    DependencyFactory,
    ResourceFactory,
    ServiceFactory,
)
from catalog.models import Api, ApiConsumption, DataDomain, Dependency, Resource, Service, Tag
from portal import writes
from portal.audit import history_for, system_actor
from portal.models import ChangeRecord
from teams.factories import TeamFactory

pytestmark = pytest.mark.django_db


def _records_for(model):
    return ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(model))


# --- create ---------------------------------------------------------------------------------


def test_create_service_writes_one_change_record_with_the_new_values(team, member):
    # When a member registers a service through the REST API
    service = actions.create_service(
        actor=member,
        via="api",
        owner_team=team,
        slug="checkout",
        name="Checkout",
        tier=1,
        tags=["pci", "payments"],
    )

    # Then exactly one record says who, how, what, and the values after
    (record,) = history_for(service)
    assert (record.actor, record.actor_name) == (member, member.username)
    assert (record.interface, record.action) == ("api", "create")
    assert record.object_repr == "Checkout"
    assert record.before is None
    assert record.after["slug"] == "checkout"
    assert record.after["owner_team"] == "payments"
    assert record.after["tier"] == 1
    assert record.after["tags"] == ["payments", "pci"]
    assert "id" not in record.after and "created_at" not in record.after


@pytest.mark.parametrize(
    ("factory", "model"),
    [
        (ServiceFactory, Service),
        (ApiFactory, Api),
        (DataDomainFactory, DataDomain),
        (ResourceFactory, Resource),
        (DependencyFactory, Dependency),
    ],
)
def test_every_create_action_writes_exactly_one_record_for_its_row(factory, model):
    obj = factory()

    (record,) = history_for(obj)
    assert record.action == ChangeRecord.Action.CREATE
    assert record.after is not None and record.before is None
    assert _records_for(model).count() == model.objects.count()


def test_a_system_actor_is_recorded_by_name(team):
    service = ServiceFactory(owner_team=team)

    (record,) = history_for(service)
    assert record.actor == system_actor()
    assert record.actor_name == "keel-system"
    assert record.interface == "cli"


# --- update ---------------------------------------------------------------------------------


def test_update_service_records_before_and_after(service, member):
    actions.update_service(
        service, actor=member, via="ui", lifecycle="production", tier=2, tags=["b", "a"]
    )

    record = history_for(service).first()
    assert record.action == "update"
    assert record.interface == "ui"
    assert record.actor == member
    assert (record.before["lifecycle"], record.after["lifecycle"]) == ("experimental", "production")
    assert (record.before["tier"], record.after["tier"]) == (3, 2)
    assert (record.before["tags"], record.after["tags"]) == ([], ["a", "b"])
    assert record.changed_fields == ["lifecycle", "tags", "tier"]
    assert history_for(service).count() == 2


def test_update_returns_the_saved_object(service):
    updated = actions.update_service(service, actor=system_actor(), via="ui", name="Till")

    assert updated.name == "Till"
    assert Service.objects.get(pk=service.pk).name == "Till"


def test_an_update_that_changes_nothing_writes_no_record(service):
    actions.update_service(service, actor=system_actor(), via="ui", name=service.name)

    assert history_for(service).count() == 1


def test_an_invalid_update_changes_nothing_and_records_nothing(service):
    with pytest.raises(ValidationError) as excinfo:
        actions.update_service(service, actor=system_actor(), via="ui", name="Renamed", tier=7)

    assert "tier" in excinfo.value.message_dict
    assert Service.objects.get(pk=service.pk).name == "Checkout"
    assert history_for(service).count() == 1


def test_invalid_tags_leave_the_service_and_tag_table_untouched(service):
    with pytest.raises(ValidationError):
        actions.update_service(service, actor=system_actor(), via="ui", tags=["ok", "Not OK"])

    assert not Tag.objects.exists()
    assert history_for(service).count() == 1


@pytest.mark.parametrize(
    ("factory", "update", "changes"),
    [
        (ApiFactory, actions.update_api, {"lifecycle": "production"}),
        (DataDomainFactory, actions.update_domain, {"name": "Ledger"}),
        (ResourceFactory, actions.update_resource, {"kind": "cache"}),
        (DependencyFactory, actions.update_dependency, {"criticality": "high"}),
    ],
)
def test_every_update_action_records_one_update(factory, update, changes):
    obj = factory()

    updated = update(obj, actor=system_actor(), via="graphql", **changes)

    ((field, value),) = changes.items()
    assert getattr(type(obj).objects.get(pk=obj.pk), field) == value
    record = history_for(updated).first()
    assert (record.action, record.interface) == ("update", "graphql")
    assert record.after[field] == value
    assert record.changed_fields == [field]
    assert history_for(obj).count() == 2


@pytest.mark.parametrize(
    ("factory", "update", "field"),
    [
        (ApiFactory, actions.update_api, "provider"),
        (ApiFactory, actions.update_api, "type"),
        (DependencyFactory, actions.update_dependency, "source"),
        (DependencyFactory, actions.update_dependency, "target_service"),
        (DataDomainFactory, actions.update_domain, "owner_service"),
    ],
)
def test_update_actions_refuse_fields_that_are_not_theirs_to_change(factory, update, field):
    obj = factory()

    with pytest.raises(ValidationError) as excinfo:
        update(obj, actor=system_actor(), via="ui", **{field: None})

    assert excinfo.value.message_dict == {field: ["This field cannot be changed here."]}
    assert history_for(obj).count() == 1


# --- transfer -------------------------------------------------------------------------------


def test_transfer_service_changes_the_owner_and_records_a_transfer(service, member):
    search = TeamFactory(slug="search")

    moved = actions.transfer_service(service, new_owner=search, actor=member, via="ui")

    assert moved.owner_team == search
    assert Service.objects.get(pk=service.pk).owner_team == search
    record = history_for(service).first()
    assert (record.action, record.actor) == ("transfer", member)
    assert (record.before["owner_team"], record.after["owner_team"]) == ("payments", "search")
    assert record.changed_fields == ["owner_team"]
    assert history_for(service).count() == 2


def test_transfer_to_the_current_owner_is_refused(service, team):
    with pytest.raises(ValidationError) as excinfo:
        actions.transfer_service(service, new_owner=team, actor=system_actor(), via="ui")

    assert excinfo.value.message_dict == {"owner_team": ["checkout is already owned by payments."]}
    assert history_for(service).count() == 1


def test_transfer_to_no_team_is_refused(service):
    with pytest.raises(ValidationError) as excinfo:
        actions.transfer_service(service, new_owner=None, actor=system_actor(), via="ui")

    assert "owner_team" in excinfo.value.message_dict
    assert Service.objects.get(pk=service.pk).owner_team.slug == "payments"


def test_after_a_transfer_the_old_team_may_no_longer_change_the_service(service, member):
    actions.transfer_service(service, new_owner=TeamFactory(), actor=member, via="ui")

    with pytest.raises(PermissionDenied):
        actions.update_service(Service.objects.get(pk=service.pk), actor=member, via="ui", tier=1)


# --- delete ---------------------------------------------------------------------------------


def test_delete_service_removes_it_and_records_the_last_values(service, member):
    pk = service.pk

    actions.delete_service(service, actor=member, via="api")

    assert not Service.objects.filter(pk=pk).exists()
    record = ChangeRecord.objects.get(
        content_type=ContentType.objects.get_for_model(Service), object_id=pk, action="delete"
    )
    assert record.before["slug"] == "checkout"
    assert record.after is None
    assert (record.actor, record.interface) == (member, "api")


def test_delete_service_takes_its_apis_resources_and_own_dependencies_along(team, service):
    ApiVersionFactory(api=ApiFactory(provider=service))
    ResourceFactory(service=service)
    DependencyFactory(source=service, target_service=ServiceFactory(owner_team=team))

    actions.delete_service(service, actor=system_actor(), via="ui")

    assert not Api.objects.exists()
    assert not Resource.objects.exists()
    assert not Dependency.objects.exists()


def test_a_service_that_depends_on_its_own_resource_can_still_be_deleted(service):
    db = ResourceFactory(service=service, slug="checkout-db")
    DependencyFactory(source=service, target_service=None, target_resource=db)

    actions.delete_service(service, actor=system_actor(), via="ui")

    assert not Service.objects.exists()
    assert not Resource.objects.exists()


def _refused_delete(service) -> str:
    records = ChangeRecord.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        actions.delete_service(service, actor=system_actor(), via="ui")
    # a refused delete leaves the row, and its (already written) record is rolled back
    assert Service.objects.filter(pk=service.pk).exists()
    assert ChangeRecord.objects.count() == records
    return excinfo.value.messages[0]


def test_delete_service_is_refused_while_depended_upon_and_names_the_dependents(team, service):
    web = ServiceFactory(owner_team=team, slug="web")
    mobile = ServiceFactory(owner_team=team, slug="mobile")
    DependencyFactory(source=web, target_service=service)
    DependencyFactory(source=mobile, target_service=service)

    message = _refused_delete(service)

    assert message.startswith("Checkout cannot be deleted while these depend on it:")
    assert "web → Checkout" in message
    assert "mobile → Checkout" in message


def test_delete_service_is_refused_while_its_api_is_consumed(team, service):
    api = ApiFactory(provider=service, slug="orders-api")
    ApiConsumptionFactory(consumer=ServiceFactory(owner_team=team, slug="web"), api=api)

    message = _refused_delete(service)

    assert "web consumes orders-api" in message


def test_delete_service_is_refused_while_it_owns_a_data_domain(service):
    DataDomainFactory(owner_service=service, slug="orders", name="Orders")

    message = _refused_delete(service)

    assert "Orders" in message


def test_delete_service_is_refused_while_others_depend_on_its_resource(team, service):
    db = ResourceFactory(service=service, slug="checkout-db", name="Checkout DB")
    DependencyFactory(
        source=ServiceFactory(owner_team=team, slug="reports"),
        target_service=None,
        target_resource=db,
    )

    message = _refused_delete(service)

    assert "reports → Checkout DB" in message


def test_the_blocker_list_is_capped(team, service):
    for n in range(22):
        DependencyFactory(
            source=ServiceFactory(owner_team=team, slug=f"d{n:02}"), target_service=service
        )

    message = _refused_delete(service)

    assert message.endswith(" and more.")
    assert message.count("→") == 20


def test_delete_api_is_refused_while_consumed_and_allowed_after(team, service):
    api = ApiFactory(provider=service, slug="orders-api")
    consumption = ApiConsumptionFactory(
        consumer=ServiceFactory(owner_team=team, slug="web"), api=api
    )

    with pytest.raises(ValidationError) as excinfo:
        actions.delete_api(api, actor=system_actor(), via="ui")
    assert "web consumes orders-api" in excinfo.value.messages[0]
    assert Api.objects.filter(pk=api.pk).exists()

    actions.remove_consumption(consumption, actor=system_actor(), via="ui")
    actions.delete_api(api, actor=system_actor(), via="ui")
    assert not Api.objects.exists()


def test_delete_resource_is_refused_while_depended_upon(team, service):
    db = ResourceFactory(service=service, name="Checkout DB")
    dependency = DependencyFactory(
        source=ServiceFactory(owner_team=team, slug="reports"),
        target_service=None,
        target_resource=db,
    )

    with pytest.raises(ValidationError) as excinfo:
        actions.delete_resource(db, actor=system_actor(), via="ui")
    assert "reports → Checkout DB" in excinfo.value.messages[0]

    actions.remove_dependency(dependency, actor=system_actor(), via="ui")
    actions.delete_resource(db, actor=system_actor(), via="ui")
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    ("factory", "remove"),
    [
        (ApiFactory, actions.delete_api),
        (DataDomainFactory, actions.delete_domain),
        (ResourceFactory, actions.delete_resource),
        (DependencyFactory, actions.remove_dependency),
        (ApiConsumptionFactory, actions.remove_consumption),
    ],
)
def test_every_delete_action_removes_the_row_and_records_one_delete(factory, remove):
    obj = factory()
    model, pk = type(obj), obj.pk

    remove(obj, actor=system_actor(), via="import")

    assert not model.objects.filter(pk=pk).exists()
    deletes = _records_for(model).filter(object_id=pk, action="delete")
    assert deletes.count() == 1
    assert deletes.get().interface == "import"
    assert deletes.get().before is not None


def test_deleting_a_domain_detaches_its_services_and_resources(service):
    domain = DataDomainFactory(owner_service=service)
    actions.update_service(service, actor=system_actor(), via="ui", data_domain=domain)
    db = ResourceFactory(service=service, data_domain=domain)

    actions.delete_domain(domain, actor=system_actor(), via="ui")

    assert Service.objects.get(pk=service.pk).data_domain is None
    assert Resource.objects.get(pk=db.pk).data_domain is None


# --- atomicity ------------------------------------------------------------------------------


def test_a_failure_while_recording_leaves_no_row(team, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("history unavailable")

    monkeypatch.setattr(writes, "record_change", fail)

    with pytest.raises(RuntimeError):
        ServiceFactory(owner_team=team, slug="checkout", tags=["pci"])

    assert not Service.objects.exists()
    assert not Tag.objects.exists()


def test_a_failure_while_recording_a_delete_keeps_the_row(service, monkeypatch):
    monkeypatch.setattr(writes, "record_changes", lambda records: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        actions.delete_service(service, actor=system_actor(), via="ui")

    assert Service.objects.filter(pk=service.pk).exists()


def test_a_refused_action_leaves_no_rows_and_no_records(team):
    records = ChangeRecord.objects.count()

    with pytest.raises(ValidationError):
        ServiceFactory(owner_team=team, slug="checkout", tier=9, tags=["pci"])

    assert not Service.objects.exists()
    assert ChangeRecord.objects.count() == records


def test_add_consumption_is_all_or_nothing(team, service, monkeypatch):
    # Given the implied dependency cannot be written
    api = ApiFactory(provider=service)
    web = ServiceFactory(owner_team=team)
    records = ChangeRecord.objects.count()
    original = writes.record_change

    def fail_for_dependencies(**kwargs):
        if isinstance(kwargs["obj"], Dependency):
            raise RuntimeError("boom")
        return original(**kwargs)

    monkeypatch.setattr(writes, "record_change", fail_for_dependencies)

    with pytest.raises(RuntimeError):
        actions.add_consumption(actor=system_actor(), via="ui", consumer=web, api=api)

    # Then the consumption was rolled back with it
    assert not ApiConsumption.objects.exists()
    assert not Dependency.objects.exists()
    assert ChangeRecord.objects.count() == records


# --- consumption implies a dependency -------------------------------------------------------


def test_add_consumption_adds_the_implied_dependency_on_the_provider(team, service):
    api = ApiFactory(provider=service, slug="orders-api")
    web = ServiceFactory(owner_team=team, slug="web")

    consumption = actions.add_consumption(
        actor=system_actor(), via="api", consumer=web, api=api, version_requirement="^1"
    )

    dependency = Dependency.objects.get()
    assert (dependency.source, dependency.target_service) == (web, service)
    assert dependency.target_resource is None
    assert dependency.kind == Dependency.Kind.SYNC
    assert dependency.description == "Consumes orders-api"
    assert ApiConsumption.objects.get().version_requirement == "^1"
    assert history_for(consumption).get().action == "create"
    assert history_for(dependency).get().action == "create"


def test_consuming_an_asyncapi_implies_an_async_dependency(team, service):
    api = ApiFactory(provider=service, type=Api.Type.ASYNCAPI)

    ApiConsumptionFactory(consumer=ServiceFactory(owner_team=team), api=api)

    assert Dependency.objects.get().kind == Dependency.Kind.ASYNC


def test_add_consumption_keeps_an_existing_dependency(team, service):
    web = ServiceFactory(owner_team=team)
    existing = DependencyFactory(
        source=web, target_service=service, kind=Dependency.Kind.DATA, criticality="high"
    )
    records = ChangeRecord.objects.count()

    ApiConsumptionFactory(consumer=web, api=ApiFactory(provider=service))
    ApiConsumptionFactory(consumer=web, api=ApiFactory(provider=service))

    assert list(Dependency.objects.all()) == [existing]
    assert Dependency.objects.get().kind == Dependency.Kind.DATA
    assert ChangeRecord.objects.count() == records + 2 + 2  # two APIs, two consumptions


def test_removing_a_consumption_keeps_the_dependency(team, service):
    consumption = ApiConsumptionFactory(
        consumer=ServiceFactory(owner_team=team), api=ApiFactory(provider=service)
    )

    actions.remove_consumption(consumption, actor=system_actor(), via="ui")

    assert not ApiConsumption.objects.exists()
    assert Dependency.objects.count() == 1


def test_transfer_domain_records_a_transfer_between_services(team, service):
    domain = DataDomainFactory(owner_service=service)
    ledger = ServiceFactory(owner_team=team, slug="ledger")

    actions.transfer_domain(domain, new_owner=ledger, actor=system_actor(), via="job")

    record = history_for(domain).first()
    assert (record.action, record.interface) == ("transfer", "job")
    assert (record.before["owner_service"], record.after["owner_service"]) == ("checkout", "ledger")
    assert history_for(domain).count() == 2


def test_permission_is_decided_by_the_stored_owner_not_by_edited_values(service, outsider):
    # Given an outsider whose form has already copied their own team onto the instance
    service.owner_team = outsider.teams.get()

    # When they try to change the service
    with pytest.raises(PermissionDenied):
        actions.update_service(service, actor=outsider, via="ui", tier=1)

    # Then the stored owner decided, and nothing changed
    service.refresh_from_db()
    assert service.tier == 3
