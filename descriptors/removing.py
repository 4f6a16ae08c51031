"""Removing what a location stopped declaring, when it is set to (``Location.remove_orphans``):
each catalog object goes through its own delete action, with that action's rules (a service
others depend on stays) and history; the entity row goes with it. Accounts are never
deleted: a user entity only lets go of its account."""

from portal.audit import record_change, snapshot
from portal.models import ChangeRecord


def _deleter(model):
    from catalog import actions as catalog
    from teams import actions as teams

    return {
        "catalog.service": catalog.delete_service,
        "catalog.api": catalog.delete_api,
        "catalog.resource": catalog.delete_resource,
        "catalog.system": catalog.delete_system,
        "catalog.businessdomain": catalog.delete_business_domain,
        "teams.team": teams.delete_team,
    }.get(model._meta.label_lower)


def remove(entity, *, actor, via: str) -> None:
    """Delete ``entity`` (an orphan) and the catalog object it became; raises
    ValidationError when that object's delete action refuses."""
    if entity.target_type_id is not None:
        model = entity.target_type.model_class()
        deleter = _deleter(model)
        target = model._default_manager.filter(pk=entity.target_id).first()
        if deleter is not None and target is not None:
            deleter(target, actor=actor, via=via)
    before, pk = snapshot(entity), entity.pk
    entity.delete()
    entity.pk = pk  # the record names the row that was
    record_change(
        actor=actor, via=via, action=ChangeRecord.Action.DELETE, obj=entity, before=before
    )
