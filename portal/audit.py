"""The change history: snapshots of objects and the ChangeRecord written beside every change."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models

from .models import ChangeRecord

# Bookkeeping fields whose change is not news to anyone reading the history.
_SKIPPED_FIELDS = {"id", "created_at", "updated_at"}


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def snapshot(obj: models.Model) -> dict:
    """The object's own fields as JSON-ready values; relations by slug where they have one."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in _SKIPPED_FIELDS:
            continue
        if field.is_relation:
            related = getattr(obj, field.name)
            data[field.name] = getattr(related, "slug", None) or (related and related.pk)
        else:
            data[field.name] = _plain(field.value_from_object(obj))
    for field in obj._meta.many_to_many:
        if obj.pk:
            data[field.name] = sorted(str(item) for item in getattr(obj, field.name).all())
    return data


def record_change(
    *, actor, via: str, action: str, obj: models.Model, before=None, after=None
) -> ChangeRecord:
    """Write one history row. Call inside the transaction that makes the change."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return ChangeRecord.objects.create(
        actor=actor if is_user else None,
        actor_name=actor.get_username() if is_user else "system",
        interface=via,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        before=before,
        after=after,
    )


GENERATION_SQL = f"SELECT MAX(id) FROM {ChangeRecord._meta.db_table}"


def generation() -> int:
    """A number that moves whenever the catalog changes: the newest ChangeRecord's id.

    Every action writes its ChangeRecord in the transaction of its change, so caches keyed by
    this number are never stale. Plain SQL on the primary key index: it runs on hot paths.
    """
    with connection.cursor() as cursor:
        cursor.execute(GENERATION_SQL)
        return cursor.fetchone()[0] or 0


def history_for(obj: models.Model):
    """The change records of one object, newest first."""
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
    ).select_related("actor")


def system_actor():
    """The staff account that jobs, importers and the demo loader act as.

    It has no usable password, so nobody can sign in as it.
    """
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(
        username="keel-system", defaults={"is_staff": True, "first_name": "Keel"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
