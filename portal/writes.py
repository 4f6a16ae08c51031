"""The mechanics shared by every ``<app>/actions.py`` function.

An action opens ``atomic_write()``, takes the rows it decides on with ``locked()`` (which
checks permission against the locked copy), states its domain rules, and writes with
``save_new`` / ``save_changes`` / ``delete``. These validate the model, write it together with
its ChangeRecords, and turn the database's refusals (a unique row created concurrently, a
protected relation) into ValidationErrors with messages a person can act on.

Locks are taken in one order everywhere: along the owner path from the team down to the
object (team, service, API, version), and the catalog generation last, just before commit.
Writers that meet on the same rows queue instead of deadlocking, and a permission decided on
a locked row stays true until the write commits.
"""

from contextlib import contextmanager
from functools import cache

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, models, transaction
from django.db.models import ProtectedError, signals
from django.db.models.deletion import Collector
from django.utils import timezone

from . import copying, permissions
from .api.bulk_render import among
from .audit import (
    Records,
    bump_generation,
    change_record,
    parent_field,
    record_change,
    record_changes,
    snapshot,
    snapshot_of,
)
from .models import ChangeRecord

_IMMUTABLE = {"slug": "A slug never changes once created."}
_LOCK_ATTEMPTS = 3
# Rows removed without a record: history about history is noise.
_UNRECORDED = {"portal.changerecord", "admin.logentry"}


def _recorded(model) -> bool:
    """Whether removing a row of ``model`` is recorded: not history itself, nor rows derived
    from a recorded one that declare ``history_recorded = False`` (an API version's stored
    operations go with the version's own record)."""
    return model._meta.label_lower not in _UNRECORDED and getattr(model, "history_recorded", True)


# --- the transaction ------------------------------------------------------------------------


@contextmanager
def atomic_write():
    """The transaction of one write (nested writes join the outermost).

    The catalog generation moves once, as the outermost write's last statement: its row lock
    is the one every writer shares, so it is taken last and held only until the commit.
    """
    state = _state()
    outermost, committing = state["depth"] == 0, False
    try:
        with transaction.atomic():
            state["depth"] += 1
            try:
                yield
                if state["depth"] == 1:
                    _finish(state)
            finally:
                state["depth"] -= 1
                if state["depth"] == 0:
                    state["changed"] = False
                    for pending in state["pending"].values():
                        pending.clear()
            committing = True
    except (OperationalError, IntegrityError) as error:
        # Writers that still met (a deadlock PostgreSQL broke, a reference checked at
        # commit): the whole write was rolled back, and trying again is the answer. A unique
        # row refused in the body is the caller's to explain (see ``_save``).
        sqlstate = getattr(error.__cause__, "sqlstate", "") or ""
        at_commit = committing and sqlstate.startswith("23")
        if not outermost or not (sqlstate.startswith("40") or at_commit):
            raise
        raise ValidationError(
            "This change conflicts with another change made at the same time; try again."
        ) from error


def _state() -> dict:
    return connection.__dict__.setdefault(
        "keel_write", {"depth": 0, "changed": False, "pending": {}}
    )


# (flush, stamp) pairs run at the end of every outermost write, see ``at_write_end``.
_WRITE_END = []


def at_write_end(flush, stamp) -> None:
    """Run ``flush()`` as each outermost write's last step before the generation moves (a
    write outside ``atomic_write`` can end the same way in an empty one), and,
    when it returns ids (rows it changed), move the generation and call ``stamp(ids, n)`` with
    the new generation: how a read model kept in the write's own transaction learns the order
    of its changes (``catalog.documents``)."""
    _WRITE_END.append((flush, stamp))


def _finish(state: dict) -> None:
    flushed = [(stamp, flush()) for flush, stamp in _WRITE_END]
    if state["changed"] or any(ids for _, ids in flushed):
        generation = bump_generation()
        for stamp, ids in flushed:
            if ids:
                stamp(ids, generation)


def pending(name: str) -> set:
    """A set that lives as long as the open write (emptied when it ends, committed or not),
    for what its last step has to do; outside a write, until the caller empties it."""
    return _state()["pending"].setdefault(name, set())


def in_write() -> bool:
    """Is an ``atomic_write`` open on this connection?"""
    return bool(_state()["depth"])


def defer_bump() -> bool:
    """Inside ``atomic_write``: note the change for its end and say so."""
    if not in_write():
        return False
    _state()["changed"] = True
    return True


# --- locking and permission -----------------------------------------------------------------


# Checks every change of a locked object passes besides permission, see ``guard_changes``.
_GUARDS = []


def guard_changes(check) -> None:
    """Have ``check(obj)`` judge every change, deletion or management of ``obj`` after
    ``locked()`` took it (acting *as* a team is not a change of it): it raises
    ValidationError to refuse. How an app built on the catalog protects what it manages
    (``descriptors``: what a descriptor declares is changed in the descriptor)."""
    _GUARDS.append(check)


def _owner_steps(model) -> list[tuple[str, type[models.Model]]]:
    """``[(lookup, model), ...]`` from the object up its owner path to the team."""
    steps, lookup, current = [], "", model
    for name in model.owner_team_path.split("__") if model.owner_team_path else ():
        lookup = f"{lookup}__{name}" if lookup else name
        current = current._meta.get_field(name).related_model
        steps.append((lookup, current))
    return steps


def locked(obj: models.Model, *, actor, action: str, deleting: bool = False) -> models.Model:
    """``obj`` read again under a row lock, after locking every row along its owner path
    (team first), and allowed to ``actor``: the permission is decided on what is stored and
    locked, so a concurrent transfer cannot slip a former owner's write in. Returns the locked
    copy, its owner path attached. Call inside ``atomic_write()``.

    The path is read unlocked first to know which rows to lock; when a concurrent transfer
    moved it in between, the attempt's locks are released (a savepoint) and it starts over.
    ``deleting``: the row is locked against new references too (``_hold_referenced``), so
    what the delete finds depending on it is all there is.
    """
    model = type(obj)
    steps = _owner_steps(model)
    manager = model._default_manager
    for _ in range(_LOCK_ATTEMPTS):
        path = (
            manager.filter(pk=obj.pk).values_list(*[lookup for lookup, _ in steps])
            if steps
            else [()]
        )
        ids = next(iter(path), None)
        if ids is None:
            raise ValidationError(f"{obj} no longer exists.")
        with transaction.atomic():  # a moved path rolls back to here, releasing its locks
            chain = [
                step_model._default_manager.select_for_update(no_key=True).filter(pk=pk).first()
                for (_, step_model), pk in reversed(list(zip(steps, ids, strict=True)))
            ][::-1]
            copy = manager.select_for_update(no_key=not deleting).filter(pk=obj.pk).first()
            if copy is not None and _attach(copy, steps, chain):
                permissions.require(actor, action, copy)
                if action != permissions.CONTRIBUTE:
                    for check in _GUARDS:
                        check(copy)
                return copy
            if copy is None:
                raise ValidationError(f"{obj} no longer exists.")
            transaction.set_rollback(True)
    raise ValidationError(f"{obj} is being changed by someone else; try again.")


def _attach(copy, steps, chain) -> bool:
    """Hang the locked rows on the copy; False when the stored path no longer leads there."""
    child = copy
    for (lookup, _), parent in zip(steps, chain, strict=True):
        name = lookup.rsplit("__", 1)[-1]
        if parent is None or getattr(child, child._meta.get_field(name).attname) != parent.pk:
            return False
        setattr(child, name, parent)
        child = parent
    return True


# --- writing --------------------------------------------------------------------------------


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


def _hold_referenced(obj: models.Model, names=None) -> None:
    """Share-lock (``FOR KEY SHARE``) every row ``obj``'s foreign keys name, so none of them
    can be deleted before this write commits: a delete locks its row ``FOR UPDATE`` first
    (``locked(deleting=True)``), then either waits for this write and sees the new reference,
    or has gone, and this write is refused with a field error instead of failing at commit.
    ``names``: only these fields (an update holds the references it changes, as PostgreSQL's
    own foreign key checks do). Only PostgreSQL has row locks; SQLite writers never overlap."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for field in obj._meta.concrete_fields:
            wanted = field.many_to_one and (names is None or field.name in names)
            value = getattr(obj, field.attname) if wanted else None
            if value is None:
                continue
            target = field.related_model._meta
            cursor.execute(
                f'SELECT 1 FROM "{target.db_table}" WHERE "{target.pk.column}" = %s FOR KEY SHARE',
                [value],
            )
            if cursor.fetchone() is None:
                raise ValidationError({field.name: "This no longer exists; it was just deleted."})


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
    with atomic_write():
        _hold_referenced(obj)
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
    """Apply ``changes`` to ``obj`` (the caller's copy from ``locked()``), validate, save and
    record before/after.

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
    with atomic_write():
        before = snapshot(obj)
        for name, value in changes.items():
            if name not in m2m_names:
                setattr(obj, name, value)
        _refuse_unstorable(obj)
        obj.full_clean()
        _hold_referenced(obj, names=changes.keys())
        _save(obj)
        for name, value in changes.items():
            if name in m2m_names:
                getattr(obj, name).set(value)
        after = snapshot(obj)
        if after != before:
            record_change(actor=actor, via=via, action=action, obj=obj, before=before, after=after)
    return obj


class _RemovalCollector(Collector):
    """Django's collector, made to load every row a delete removes or updates (in full, with
    the objects they point to) so that each gets its own ChangeRecord."""

    def can_fast_delete(self, objs, from_field=None):
        return False

    def related_objects(self, related_model, related_fields, objs):
        rows = super().related_objects(related_model, related_fields, objs)
        if not _recorded(related_model):
            return rows
        return _with_relations(rows)


def _with_relations(rows: models.QuerySet) -> models.QuerySet:
    """Rows with the objects their foreign keys name, which their snapshots show."""
    return rows.select_related(*[f.name for f in rows.model._meta.concrete_fields if f.is_relation])


def delete(obj: models.Model, *, actor, via: str, also: models.QuerySet | None = None) -> None:
    """Delete ``obj`` with everything that goes with it, and record each removed object and
    each object a removal changed (a foreign key set to null). The records of what went
    along are shown on ``obj``'s history. ``also``: rows removed first by the caller's rule
    rather than a foreign key. A protected relation becomes a readable refusal."""
    with atomic_write():
        records = []
        for rows in ([*also] if also is not None else [], [obj]):
            collector = _RemovalCollector(using=obj._state.db or "default", origin=obj)
            try:
                collector.collect(rows)
            except ProtectedError as error:
                blockers = sorted({str(o) for o in error.protected_objects})
                raise ValidationError(
                    f"{obj} cannot be deleted while these depend on it: "
                    f"{', '.join(blockers[:20])}" + (" and more." if len(blockers) > 20 else ".")
                ) from error
            records += _removal_records(collector, obj, actor=actor, via=via)
            collector.delete()
        record_changes(records)


def _removal_records(collector: Collector, origin, *, actor, via: str) -> list[ChangeRecord]:
    """Taken before the rows go: a delete per removed object, an update per changed one."""
    records = []
    kwargs = {"actor": actor, "via": via}
    for (field, value), batches in collector.field_updates.items():
        if not _recorded(field.model):
            continue
        for batch in batches:
            for changed_obj in _with_relations(batch) if hasattr(batch, "query") else batch:
                before = snapshot(changed_obj)
                records.append(
                    change_record(
                        **kwargs,
                        action=ChangeRecord.Action.UPDATE,
                        obj=changed_obj,
                        before=before,
                        after={**before, field.name: value},
                        parent=origin,
                    )
                )
    for model, instances in collector.data.items():
        if model._meta.auto_created or not _recorded(model):
            continue
        for removed in instances:
            records.append(
                change_record(
                    **kwargs,
                    action=ChangeRecord.Action.DELETE,
                    obj=removed,
                    before=snapshot(removed),
                    parent=None if removed == origin else origin,
                )
            )
    return records


# --- writing many at once (importers) -------------------------------------------------------

_BULK_BATCH = 1000
_ROWS_BATCH = 20_000  # rows written without instances, per statement and record batch


def problem(obj: models.Model, *, seen: set | None = None) -> ValidationError | None:
    """What ``save_new`` / ``save_changes`` would refuse about ``obj``, except uniqueness
    (a query per object): a bulk writer checks that for its whole batch first, and the
    database still refuses whatever slips through, which rolls the whole write back.

    ``seen``: a set the bulk writer keeps for its batch, of the field values that passed.
    A field whose check depends on its value alone (``_value_checked``) is then checked once
    per distinct value: a lifecycle, a kind, an empty text cost once, not once per row."""
    # A foreign key holding a loaded object needs no query to prove the row exists (the
    # bulk writer's locks hold it): only the others are looked up.
    loaded = [
        field.name
        for field in obj._meta.concrete_fields
        if field.many_to_one and field.is_cached(obj) and getattr(obj, field.name) is not None
        and getattr(obj, field.name).pk is not None
    ]  # fmt: skip
    keys = _value_keys(obj) if seen is not None else {}
    passed = [name for name, key in keys.items() if key in seen]
    try:
        _refuse_unstorable(obj)
        obj.full_clean(exclude=loaded + passed, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return error
    if seen is not None and obj._state.adding:  # a stored slug is not checked again
        seen.update(_value_keys(obj).values())  # as cleaned: cleaning them again changes nothing
    return None


def _value_keys(obj) -> dict:
    """``{field name: (field, type, value)}`` of ``obj``'s fields checked by value alone,
    for those whose value can be remembered (hashable)."""
    keys = {}
    for field in _value_checked(type(obj)):
        value = getattr(obj, field.attname)
        key = (field, type(value), value)
        try:
            hash(key)
        except TypeError:
            continue
        keys[field.name] = key
    return keys


@cache
def _value_checked(model) -> tuple:
    """The fields of ``model`` whose ``clean`` depends on the value alone: Django's own
    ``clean`` and ``validate`` (type, choices, blank, null) and validators, which see only
    the value; not relations (their check reads the database), nor fields that check
    otherwise."""
    return tuple(
        field
        for field in model._meta.concrete_fields
        if not field.is_relation
        and type(field).clean is models.Field.clean
        and type(field).validate is models.Field.validate
    )


def save_new_many(objs: list, *, actor, via: str, m2m: list[dict] | None = None) -> list:
    """Insert objects of one model, each already checked with ``problem``, with their
    many-to-many values (``m2m[i]`` for ``objs[i]``) and a creation record each. The signals a
    save sends are sent too, so that what follows saves (the read model) follows these. Call
    inside ``atomic_write``."""
    if not objs:
        return objs
    model = type(objs[0])
    m2m = m2m or [{} for _ in objs]
    _hold_referenced_many(objs)
    copying.insert(objs)
    for name in sorted({name for values in m2m for name in values}):
        _add_links(
            model,
            name,
            [(obj, values.get(name, ())) for obj, values in zip(objs, m2m, strict=True)],
        )
    many = model._meta.many_to_many
    records = Records(actor=actor, via=via)
    for obj, values in zip(objs, m2m, strict=True):
        # a new object has no links but those it was given
        after = snapshot(obj, {f.name: values.get(f.name, ()) for f in many})
        records.add(action=ChangeRecord.Action.CREATE, obj=obj, after=after)
    records.write()
    for obj in objs:
        signals.post_save.send(
            sender=model, instance=obj, created=True, update_fields=None, raw=False, using="default"
        )
    return objs


def save_changes_many(changed: list, *, actor, via: str, fields: list[str], m2m=None) -> None:
    """Store objects of one model changed in memory: ``changed`` holds ``(obj, before)``
    pairs, ``before`` the snapshot taken before the change, each object checked with
    ``problem``. ``m2m``: ``{name: [values of each object]}`` to set. Writes ``fields`` and
    an update record for each object whose snapshot moved."""
    if not changed:
        return
    objs = [obj for obj, _ in changed]
    model = type(objs[0])
    for obj in objs:
        signals.pre_save.send(
            sender=model, instance=obj, raw=False, using="default", update_fields=fields
        )
    _hold_referenced_many(objs, names={model._meta.get_field(name).name for name in fields})
    if fields:
        copying.update(objs, fields)
    links = []
    for name, values in (m2m or {}).items():
        _set_links(model, name, list(zip(objs, values, strict=True)))
        links.append((name, values))
    records = Records(actor=actor, via=via)
    for index, (obj, before) in enumerate(changed):
        after = snapshot(obj, {name: values[index] for name, values in links})
        if after != before:
            records.add(action=ChangeRecord.Action.UPDATE, obj=obj, before=before, after=after)
    records.write()
    for obj in objs:
        signals.post_save.send(
            sender=model, instance=obj, created=False, update_fields=fields, raw=False,
            using="default",
        )  # fmt: skip


def _through(model, name):
    field = model._meta.get_field(name)
    return field.remote_field.through, field.m2m_field_name(), field.m2m_reverse_field_name()


def _add_links(model, name: str, pairs) -> None:
    through, source, target = _through(model, name)
    copying.insert_rows(
        through,
        (f"{source}_id", f"{target}_id"),
        [(obj.pk, value.pk) for obj, values in pairs for value in values],
    )


def _set_links(model, name: str, pairs) -> None:
    """Make each object's links exactly ``values``: remove the others, add the missing."""
    through, source, target = _through(model, name)
    wanted = {(obj.pk, value.pk) for obj, values in pairs for value in values}
    stored = set(
        through.objects.filter(
            **{f"{source}__in": among([obj.pk for obj, _ in pairs])}
        ).values_list(f"{source}_id", f"{target}_id")
    )
    for obj_pk, value_pk in stored - wanted:
        through.objects.filter(**{f"{source}_id": obj_pk, f"{target}_id": value_pk}).delete()
    copying.insert_rows(through, (f"{source}_id", f"{target}_id"), sorted(wanted - stored))
    for obj, _ in pairs:
        signals.m2m_changed.send(
            sender=through, instance=obj, action="post_add", reverse=False,
            model=model._meta.get_field(name).related_model, pk_set=set(), using="default",
        )  # fmt: skip


def save_new_rows(model, rows: list[dict], *, actor, via: str, text) -> list[int]:
    """Insert new rows of ``model`` given as field values (by name; a relation's value is
    the related object; a field not named takes its default), each with the creation record
    a save gives it, without building instances: for the edges an importer writes by the ten
    thousand. ``text(values)`` is what ``str()`` of the object gives. What ``problem`` checks
    must hold already (the caller builds them between rows it resolved), the database's
    constraints refuse the rest, and no signals are sent: the caller refreshes what follows
    saves (``catalog.documents.refresh``). Call inside ``atomic_write``. The new ids."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key and not _automatic(f)]
    relations = {f.name for f in fields if f.is_relation}
    _hold_keys({meta.get_field(name): {_key(row.get(name)) for row in rows} for name in relations})
    ids = []
    for start in range(0, len(rows), _ROWS_BATCH):  # what is held at once stays bounded
        ids += _insert_rows(model, fields, rows[start : start + _ROWS_BATCH], actor, via, text)
    return ids


def _insert_rows(model, fields, rows, actor, via, text) -> list[int]:
    meta = model._meta
    defaults = {f.name: f.get_default() for f in fields}
    rows = [{**defaults, **row} for row in rows]
    relations = {f.name for f in fields if f.is_relation}
    if connection.vendor == "postgresql":
        ids = copying.ids(model, len(rows))
        now = timezone.now()
        stamps = [f.attname for f in meta.concrete_fields if _automatic(f)]
        copying.insert_rows(
            model,
            (meta.pk.attname, *(f.attname for f in fields), *stamps),
            [
                (pk, *(_key(row[f.name]) if f.name in relations else row[f.name] for f in fields),
                 *(now for _ in stamps))
                for pk, row in zip(ids, rows, strict=True)
            ],
        )  # fmt: skip
    else:
        objs = [model(**row) for row in rows]
        model._default_manager.bulk_create(objs, batch_size=_BULK_BATCH)
        ids = [obj.pk for obj in objs]
    parent = parent_field(model)
    records = Records(actor=actor, via=via)
    for pk, row in zip(ids, rows, strict=True):
        records.add_row(
            action=ChangeRecord.Action.CREATE,
            model=model,
            pk=pk,
            text=text(row),
            parent=row[parent] if parent else None,
            after=snapshot_of(model, row),
        )
    records.write()
    return ids


def _key(related):
    return related.pk if related is not None else None


def _hold_referenced_many(objs: list, names=None) -> None:
    """``_hold_referenced`` for a batch: one statement per foreign key."""
    _hold_keys(
        {
            field: {getattr(obj, field.attname) for obj in objs}
            for field in objs[0]._meta.concrete_fields
            if field.many_to_one and (names is None or field.name in names)
        }
    )


def _hold_keys(keys: dict) -> None:
    """Share-lock the rows that ``keys`` (``{foreign key: ids}``) name, as
    ``_hold_referenced`` does, one statement per foreign key."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for field, values in keys.items():
            ids = sorted(set(values) - {None})
            if not ids:
                continue
            target = field.related_model._meta
            cursor.execute(
                f'SELECT "{target.pk.column}" FROM "{target.db_table}" '
                f'WHERE "{target.pk.column}" = ANY(%s) FOR KEY SHARE',
                [ids],
            )
            if len(cursor.fetchall()) != len(ids):
                raise ValidationError({field.name: "This no longer exists; it was just deleted."})
