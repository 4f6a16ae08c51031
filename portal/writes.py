"""The mechanics shared by every ``<app>/actions.py`` function.

An action checks permission and states its domain rules; these helpers then validate the
model, write it in one transaction together with its ChangeRecord, and turn the database's
refusals (a unique row created concurrently, a protected relation) into ValidationErrors
with messages a person can act on.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError

from .audit import record_change, snapshot
from .models import ChangeRecord

_IMMUTABLE = {"slug": "A slug never changes once created."}


def _refuse_unstorable(obj: models.Model) -> None:
    """Catch what ``full_clean`` lets through but the database refuses: ``None`` in a
    non-nullable blank field, and NUL characters (PostgreSQL cannot store them). Forms and
    REST refuse both earlier; importers and jobs calling actions rely on this."""
    errors = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if value is None and not (field.null or field.primary_key or _automatic(field)):
            errors[field.name] = "This field cannot be null."
        elif isinstance(value, str) and "\x00" in value:
            errors[field.name] = "Null characters are not allowed."
    if errors:
        raise ValidationError(errors)


def _automatic(field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _save(obj: models.Model) -> None:
    """Save, explaining a constraint that a concurrent writer won the race for."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as error:
        obj.full_clean()  # now sees the other writer's row and names the field
        raise ValidationError(
            "This change conflicts with another change made at the same time; try again.",
            code="conflict",  # REST answers 409
        ) from error


def save_new(
    obj: models.Model,
    *,
    actor,
    via: str,
    m2m: dict | None = None,
    action: str = ChangeRecord.Action.CREATE,
) -> models.Model:
    """Validate and insert ``obj`` (with its many-to-many values) and record the creation."""
    _refuse_unstorable(obj)
    obj.full_clean()
    with transaction.atomic():
        _save(obj)
        for name, values in (m2m or {}).items():
            getattr(obj, name).set(values)
        record_change(actor=actor, via=via, action=action, obj=obj, after=snapshot(obj))
    return obj


def save_changes(
    obj: models.Model,
    changes: dict,
    *,
    actor,
    via: str,
    editable: set[str],
    action: str = ChangeRecord.Action.UPDATE,
) -> models.Model:
    """Apply ``changes`` to a locked copy of ``obj``, validate, save and record before/after.

    Only fields in ``editable`` may change; anything else (a slug, an owner outside a
    transfer) is refused with a field error rather than silently ignored.
    """
    refused = {
        name: _IMMUTABLE.get(name, "This field cannot be changed here.")
        for name in changes
        if name not in editable
    }
    if refused:
        raise ValidationError(refused)
    m2m_names = {f.name for f in obj._meta.many_to_many}
    with transaction.atomic():
        locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        before = snapshot(locked)
        for name, value in changes.items():
            if name not in m2m_names:
                setattr(locked, name, value)
        _refuse_unstorable(locked)
        locked.full_clean()
        _save(locked)
        for name, value in changes.items():
            if name in m2m_names:
                getattr(locked, name).set(value)
        after = snapshot(locked)
        if after != before:
            record_change(
                actor=actor, via=via, action=action, obj=locked, before=before, after=after
            )
    return locked


def delete(obj: models.Model, *, actor, via: str) -> None:
    """Delete ``obj`` and record it; a protected relation becomes a readable refusal."""
    with transaction.atomic():
        record_change(
            actor=actor, via=via, action=ChangeRecord.Action.DELETE, obj=obj, before=snapshot(obj)
        )
        try:
            with transaction.atomic():
                obj.delete()
        except ProtectedError as error:
            blockers = sorted({str(o) for o in error.protected_objects})
            raise ValidationError(
                f"{obj} cannot be deleted while these depend on it: {', '.join(blockers[:20])}"
                + (" and more." if len(blockers) > 20 else ".")
            ) from error
