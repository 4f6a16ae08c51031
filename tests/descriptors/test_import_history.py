"""The bulk write of an import gives each row the history and the read model a save gives
it: the rows written without instances (consumptions, dependencies) and the records written
as rows must say exactly what ``snapshot``, ``str`` and ``history_parent`` say of the
stored objects."""

import json

from catalog.models import (
    Api,
    ApiConsumption,
    BusinessDomain,
    Dependency,
    Service,
    ServiceDocument,
    System,
)
from descriptors.models import Entity
from portal.audit import history_parent, snapshot
from portal.models import ChangeRecord, Interface
from teams.models import Team

from .test_importing import CATALOG, _location, _run


def _latest(obj):
    """The newest record of the object's own fields (a team gets its parent after it is
    created, when the parent is in the same import)."""
    return ChangeRecord.objects.filter(
        content_type__model=obj._meta.model_name,
        object_id=obj.pk,
        action__in=[ChangeRecord.Action.CREATE, ChangeRecord.Action.UPDATE],
    ).latest("id")


def test_each_created_row_is_recorded_as_a_save_records_it(staff):
    run = _run(_location(staff, CATALOG), staff)
    assert run.created == 9
    rows = 0
    models = (Team, BusinessDomain, System, Service, Api, ApiConsumption, Dependency, Entity)
    for model in models:
        # an entity row has history of its own when Keel keeps it as an entity only
        objs = model.objects.filter(target_id=None) if model is Entity else model.objects.all()
        for obj in objs:
            record = _latest(obj)
            parent = history_parent(obj)
            # members join with records of their own (add_member)
            assert record.after == {**snapshot(obj), **_members(record, obj)}, obj
            assert record.object_repr == str(obj)[:200]
            assert (record.parent_content_type_id is None) == (parent is None)
            assert record.parent_object_id == (parent.pk if parent else None)
            assert (record.interface, record.actor) == (Interface.IMPORT, staff)
            rows += 1
    assert ApiConsumption.objects.count() == 1 and Dependency.objects.count() == 1
    assert rows == 10  # 2 teams, a domain, a system, 2 services, an API, 2 edges, a template


def _members(record, obj):
    return {"members": record.after["members"]} if isinstance(obj, Team) else {}


def test_the_edges_show_in_the_documents_of_both_ends(staff):
    _run(_location(staff, CATALOG), staff)
    till, cart = Service.objects.get(slug="till"), Service.objects.get(slug="cart")
    detail = json.loads(ServiceDocument.objects.get(service=till).detail)
    assert [c["api"] for c in detail["consumed_apis"]] == ["cart-api"]
    assert [(d["target_service"], d["kind"]) for d in detail["dependencies"]] == [("cart", "sync")]
    assert ServiceDocument.objects.get(service=till).targets == [cart.pk]
    cart_detail = json.loads(ServiceDocument.objects.get(service=cart).detail)
    assert [d["source"] for d in cart_detail["dependents"]] == ["till"]
