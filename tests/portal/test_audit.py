"""The change history: snapshots, the records beside every write, and the system actor."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max

from catalog import actions
from catalog.factories import (
    ApiFactory,
    ApiVersionFactory,
    DataDomainFactory,
    DependencyFactory,
    ResourceFactory,
    ServiceFactory,
)
from catalog.models import Service
from portal.audit import _plain, history_for, record_change, snapshot, system_actor
from portal.models import ChangeRecord
from teams.factories import TeamFactory

pytestmark = pytest.mark.django_db


# --- snapshots ------------------------------------------------------------------------------


def test_a_snapshot_holds_own_fields_relations_by_slug_and_sorted_tags(team):
    service = ServiceFactory(
        owner_team=team, slug="checkout", name="Checkout", tier=1, tags=["pci", "b2c", "api"]
    )
    domain = DataDomainFactory(owner_service=service, slug="orders")
    service = actions.update_service(service, actor=system_actor(), via="ui", data_domain=domain)

    data = snapshot(service)

    assert data["slug"] == "checkout"
    assert data["name"] == "Checkout"
    assert data["tier"] == 1
    assert data["owner_team"] == "payments"
    assert data["data_domain"] == "orders"
    assert data["tags"] == ["api", "b2c", "pci"]
    assert {"id", "created_at", "updated_at"}.isdisjoint(data)
    assert json.loads(json.dumps(data)) == data


def test_a_snapshot_shows_an_empty_relation_as_none(service):
    data = snapshot(service)

    assert data["data_domain"] is None
    assert data["tags"] == []


def test_relations_are_shown_by_slug_and_users_by_username(service, member):
    api = ApiFactory(provider=service, slug="orders-api")
    version = actions.publish_api_version(
        api, actor=member, via="ui", version="1.0.0", spec=ApiVersionFactory.build(api=api).spec
    )

    data = snapshot(version)

    assert data["api"] == "orders-api"
    assert data["published_by"] == member.username
    assert isinstance(data["published_at"], str)
    assert datetime.fromisoformat(data["published_at"]) == version.published_at
    assert data["digest"] == version.digest


def test_a_dependency_snapshot_names_both_ends(team, service):
    db = ResourceFactory(service=service, slug="checkout-db")
    dependency = DependencyFactory(
        source=ServiceFactory(owner_team=team, slug="web"), target_service=None, target_resource=db
    )

    data = snapshot(dependency)

    assert (data["source"], data["target_service"], data["target_resource"]) == (
        "web",
        None,
        "checkout-db",
    )


def test_an_unsaved_object_has_no_many_to_many_values(team):
    assert "tags" not in snapshot(Service(slug="new", name="New", owner_team=team))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2024, 5, 1, 12, 30, tzinfo=UTC), "2024-05-01T12:30:00+00:00"),
        (date(2024, 5, 1), "2024-05-01"),
        (Decimal("1.50"), "1.50"),
        (3, 3),
        ("x", "x"),
        (None, None),
    ],
)
def test_plain_values_are_json_ready(value, expected):
    assert _plain(value) == expected


# --- records --------------------------------------------------------------------------------


def test_record_change_names_a_user_actor(service, member):
    record = record_change(actor=member, via="ui", action="update", obj=service, after={"a": 1})

    assert (record.actor, record.actor_name) == (member, member.username)
    assert record.content_type == ContentType.objects.get_for_model(Service)
    assert (record.object_id, record.object_repr) == (service.pk, "Checkout")
    assert str(record) == f"{member.username} update Checkout"


@pytest.mark.parametrize("actor", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_record_change_without_a_user_is_by_the_system(service, actor):
    record = record_change(actor=actor, via="job", action="update", obj=service)

    assert record.actor is None
    assert record.actor_name == "system"
    assert str(record) == "system update Checkout"


def test_a_long_object_name_is_cut_to_fit(team):
    source = ServiceFactory(owner_team=team, slug="s" * 63)
    target = ServiceFactory(owner_team=team, name="N" * 200)
    dependency = DependencyFactory(source=source, target_service=target)

    record = history_for(dependency).get()

    assert len(str(dependency)) > 200
    assert record.object_repr == str(dependency)[:200]


def test_changed_fields_lists_what_differs_sorted():
    record = ChangeRecord(
        before={"a": 1, "b": 2, "gone": 1},
        after={"a": 1, "b": 3, "new": 0},
    )

    assert record.changed_fields == ["b", "gone", "new"]
    assert ChangeRecord(before=None, after={"x": 1}).changed_fields == ["x"]
    assert ChangeRecord(before={"x": 1}, after=None).changed_fields == ["x"]


def test_history_is_newest_first_and_only_for_that_object(service, member):
    actions.update_service(service, actor=member, via="ui", tier=2)
    actions.transfer_service(service, new_owner=TeamFactory(), actor=member, via="api")
    other = ServiceFactory(owner_team=service.owner_team)
    actions.update_service(other, actor=member, via="ui", tier=1)

    history = list(history_for(service))

    assert [r.action for r in history] == ["transfer", "update", "create"]
    assert {r.object_id for r in history} == {service.pk}


def test_history_does_not_mix_models_that_share_a_primary_key(team):
    # Explicit keys: on PostgreSQL a rolled-back test does not give sequence numbers back, so
    # waiting for a team's key to reach the service's could step past it.
    pk = 1 + max(Service.objects.aggregate(m=Max("pk"))["m"] or 0, team.pk) + 1000
    service = ServiceFactory(pk=pk, owner_team=team)
    same_pk_team = TeamFactory(pk=pk)
    for obj in (service, same_pk_team):
        record_change(
            actor=system_actor(), via="ui", action=ChangeRecord.Action.UPDATE, obj=obj,
            before={}, after=snapshot(obj),
        )  # fmt: skip

    service_models = {r.content_type.model for r in history_for(service)}
    team_models = {r.content_type.model for r in history_for(same_pk_team)}
    assert (service_models, team_models) == ({"service"}, {"team"})


def test_history_keeps_records_of_deleted_objects(service):
    pk = service.pk
    actions.delete_service(service, actor=system_actor(), via="ui")

    records = ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(Service), object_id=pk
    )

    assert [r.action for r in records] == ["delete", "create"]


def test_history_loads_actors_without_extra_queries(service, member, django_assert_num_queries):
    for tier in (1, 2, 3):
        actions.update_service(service, actor=member, via="ui", tier=tier)

    with django_assert_num_queries(1):
        names = [r.actor.username for r in history_for(service)]

    assert names == [member.username] * 3 + ["keel-system"]


# --- the system actor -----------------------------------------------------------------------


def test_the_system_actor_is_staff_and_cannot_sign_in():
    actor = system_actor()

    assert actor.username == "keel-system"
    assert actor.is_staff and actor.is_active
    assert not actor.has_usable_password()
    assert not actor.check_password("")
    assert authenticate(username="keel-system", password="") is None


def test_the_system_actor_is_one_account():
    first, second = system_actor(), system_actor()

    assert first.pk == second.pk
    assert not second.has_usable_password()
