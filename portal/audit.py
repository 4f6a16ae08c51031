"""The change history: snapshots of objects and the ChangeRecord written beside every change."""

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from uuid import UUID

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone

from . import copying, request_id
from .models import CatalogGeneration, ChangeRecord

# Bookkeeping fields whose change is not news to anyone reading the history, and secrets
# (a password hash, an API token's key) that history must never copy. A model names further
# fields of its own in ``history_excluded_fields`` (an API token's digest).
_SKIPPED_FIELDS = {"id", "created_at", "updated_at", "password", "key", "secret", "token"}


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def _name(related):
    """How a snapshot names a related object: its slug, a user's username, else its key."""
    if related is None:
        return None
    if hasattr(related, "get_username"):
        return related.get_username()
    return getattr(related, "slug", None) or related.pk


def snapshot(obj: models.Model, m2m: dict | None = None) -> dict:
    """The object's own fields as JSON-ready values; relations by slug (or username).
    ``m2m``: many-to-many values the caller already holds (a bulk write), by field name."""
    fields, many = _shown(type(obj))
    data = {
        name: _name(getattr(obj, name)) if relation else _plain(getattr(obj, attname))
        for name, attname, relation in fields
    }
    for name in many:
        if m2m is not None and name in m2m:
            data[name] = sorted(str(item) for item in m2m[name])
        elif obj.pk:
            data[name] = sorted(str(item) for item in getattr(obj, name).all())
    return data


def snapshot_of(model, values: dict) -> dict:
    """What ``snapshot`` shows of a new object of ``model`` whose fields hold ``values`` (by
    field name; a relation's value is the related object): for rows written without an
    instance (``portal.writes.save_new_rows``). Every field a snapshot shows must be given."""
    fields, many = _shown(model)
    data = {
        name: _name(values[name]) if relation else _plain(values[name])
        for name, _, relation in fields
    }
    for name in many:
        data[name] = sorted(str(item) for item in values.get(name, ()))
    return data


@cache
def _shown(model) -> tuple[tuple, tuple]:
    """What a snapshot of ``model`` shows: ``(name, attname, is_relation)`` of its fields,
    and the names of its many-to-many fields (worked out once: bulk writes take thousands)."""
    skipped = _SKIPPED_FIELDS | set(getattr(model, "history_excluded_fields", ()))
    fields = tuple(
        (field.name, field.attname, field.is_relation)
        for field in model._meta.concrete_fields
        if field.name not in skipped
    )
    return fields, tuple(field.name for field in model._meta.many_to_many)


def history_parent(obj: models.Model) -> models.Model | None:
    """The object whose history also shows ``obj``'s changes: the first step of its owner
    path when it is owned through another object (an API version's API, an API's provider,
    a resource's service); None for what a team owns directly, and for a team."""
    name = parent_field(type(obj))
    return getattr(obj, name) if name else None


def parent_field(model) -> str | None:
    """The name of the field of ``model`` that ``history_parent`` follows, or None: the
    model's ``history_parent_field`` when it declares one (a resource's service, which it may
    lack), else the first step of its owner path."""
    declared = getattr(model, "history_parent_field", None)
    if declared:
        return declared
    path = getattr(model, "owner_team_path", "")
    return path.split("__", 1)[0] if "__" in path else None


# The columns of a record as ``_record`` gives them, then ``created_at``.
_RECORD_FIELDS = (
    "actor_id", "actor_name", "interface", "action", "content_type_id", "object_id",
    "object_repr", "parent_content_type_id", "parent_object_id", "before", "after",
    "request_id",
)  # fmt: skip


def _record(actor, via, action, obj, before, after, parent, type_id=None) -> tuple:
    """The values of one record of ``obj``, in ``_RECORD_FIELDS`` order (``type_id``: a
    caller's lookup of content type ids by model, for thousands of objects)."""
    parent = history_parent(obj) if parent is None else parent
    type_id = type_id or _type_id
    return _row(
        actor, via, action, type_id(type(obj)), obj.pk, str(obj), before, after,
        type_id(type(parent)) if parent is not None else None,
        parent.pk if parent is not None else None,
    )  # fmt: skip


def _row(actor, via, action, type_id, pk, text, before, after, parent_type_id, parent_pk):
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return (
        actor.pk if is_user else None,
        actor.get_username() if is_user else "system",
        via,
        action,
        type_id,
        pk,
        text[:200],
        parent_type_id,
        parent_pk,
        before,
        after,
        request_id.current(),
    )


def change_record(
    *, actor, via: str, action: str, obj: models.Model, before=None, after=None, parent=None
) -> ChangeRecord:
    """An unsaved history row (``parent``: see ``history_parent``, which is the default)."""
    values = _record(actor, via, action, obj, before, after, parent)
    return ChangeRecord(**dict(zip(_RECORD_FIELDS, values, strict=True)))


class Records:
    """The history of a bulk write (importers), kept as rows rather than ChangeRecord
    instances, with what ``change_record`` gives each, and written with one ``COPY``: tens
    of thousands of records cost a tenth of what as many instances would."""

    def __init__(self, *, actor, via: str):
        self.actor, self.via = actor, via
        self.rows = []
        self._type_ids = {}

    def add(self, *, action: str, obj, before=None, after=None, parent=None) -> None:
        """Record ``action`` on ``obj`` (the arguments of ``change_record``)."""
        self.rows.append(
            _record(self.actor, self.via, action, obj, before, after, parent, self._type_id)
        )

    def add_row(
        self, *, action: str, model, pk: int, text: str, parent=None, before=None, after=None
    ) -> None:
        """Record ``action`` on the row ``pk`` of ``model``, written without an instance:
        ``text`` is what ``str()`` of it gives, ``parent`` what ``history_parent`` would."""
        self.rows.append(
            _row(
                self.actor, self.via, action, self._type_id(model), pk, text, before, after,
                self._type_id(type(parent)) if parent is not None else None,
                parent.pk if parent is not None else None,
            )
        )  # fmt: skip

    def _type_id(self, model) -> int:
        found = self._type_ids.get(model)
        if found is None:
            found = self._type_ids[model] = _type_id(model)
        return found

    def write(self) -> None:
        """Insert the records added so far (all made now) and note the change."""
        if not self.rows:
            return
        now = timezone.now()
        copying.insert_rows(
            ChangeRecord, (*_RECORD_FIELDS, "created_at"), [(*row, now) for row in self.rows]
        )
        self.rows = []
        changed()


def record_change(
    *, actor, via: str, action: str, obj: models.Model, before=None, after=None, parent=None
) -> ChangeRecord:
    """Write one history row and move the catalog generation. Call inside the transaction
    that makes the change."""
    record = change_record(
        actor=actor, via=via, action=action, obj=obj, before=before, after=after, parent=parent
    )
    record.save(force_insert=True)
    changed()
    return record


def record_changes(records: list[ChangeRecord]) -> None:
    """Write many history rows at once (a delete's cascade) and move the generation."""
    ChangeRecord.objects.bulk_create(records)
    changed()


def _content_type(obj) -> ContentType:
    return ContentType.objects.get_for_model(obj, for_concrete_model=True)


def _type_id(model) -> int:
    return _content_type(model).pk


# --- the catalog generation -----------------------------------------------------------------

_GENERATION = CatalogGeneration._meta.db_table

# A scalar subquery (it may be embedded in a larger statement): NULL before the first write.
GENERATION_SQL = f"SELECT value FROM {_GENERATION} WHERE id = 1"

# One statement on PostgreSQL and SQLite, and a row lock held until the transaction ends:
# writers queue on it, so generations are handed out in commit order.
_BUMP_SQL = (
    f"INSERT INTO {_GENERATION} (id, value) VALUES (1, 1) "
    f"ON CONFLICT (id) DO UPDATE SET value = {_GENERATION}.value + 1 RETURNING value"
)


def generation() -> int:
    """A number that moves whenever the catalog changes, in the order the changes commit.

    Caches keyed by it are never stale: a transaction moves it with its change (see
    ``CatalogGeneration``). One primary-key read: it runs on hot paths.
    """
    with connection.cursor() as cursor:
        cursor.execute(GENERATION_SQL)
        row = cursor.fetchone()
        return (row[0] if row else 0) or 0


def changed() -> None:
    """Note a change of the catalog in the current transaction.

    Inside ``portal.writes.atomic_write`` the generation moves once, as the transaction's
    last statement, so the lock that orders writers is held only for the commit; anywhere
    else it moves now.
    """
    from .writes import defer_bump

    if not defer_bump():
        bump_generation()


def bump_generation() -> int:
    """Move the generation; the new value."""
    with connection.cursor() as cursor:
        cursor.execute(_BUMP_SQL)
        return cursor.fetchone()[0]


def history_for(obj: models.Model):
    """The change records of one object and of the objects shown on its history (its API
    versions, what its deletion removed), newest first."""
    content_type = _content_type(obj)
    return ChangeRecord.objects.filter(
        Q(content_type=content_type, object_id=obj.pk)
        | Q(parent_content_type=content_type, parent_object_id=obj.pk)
    ).select_related("actor")


# Records whose snapshots are the object's own fields (membership records hold a membership).
_STATE_ACTIONS = (
    ChangeRecord.Action.CREATE,
    ChangeRecord.Action.UPDATE,
    ChangeRecord.Action.TRANSFER,
    ChangeRecord.Action.PUBLISH,
    ChangeRecord.Action.DELETE,
)


def state_at(model, at, *, slug: str | None = None, pk: int | None = None):
    """The newest record of the object's own fields made at or before ``at``, or None: its
    ``after`` is the object as it was then (``before`` and deleted, when it is a delete).

    By slug, an object deleted since is found too, and a slug used again later by another
    object answers for the object that held it at ``at`` (slugs are unique at any moment).
    """
    records = ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        created_at__lte=at,
        action__in=_STATE_ACTIONS,
    )
    if slug is not None:
        records = records.filter(Q(after__slug=slug) | Q(before__slug=slug))
    else:
        records = records.filter(object_id=pk)
    return records.select_related("actor").order_by("-created_at", "-id").first()


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
