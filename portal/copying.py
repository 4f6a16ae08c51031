"""Many rows into a table at once: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.

Django's ``bulk_create`` on PostgreSQL sends each column as an array, and psycopg escapes
every text element of an array in Python: an import of 10,000 entities spent most of its
time there (change records and documents are long text). ``COPY`` hands rows to the server
in the binary driver's own loop. It returns no ids, so ids come first from the table's
sequence, and each object holds its id afterwards as ``bulk_create`` would leave it.
"""

import json
from collections.abc import Iterable, Sequence
from operator import attrgetter

from django.db import connection, models
from django.utils import timezone

_BATCH = 1000
# Values of these fields go to the driver as Python holds them; the others (JSON, UUIDs,
# decimals, custom fields) through ``get_db_prep_save``.
_AS_IS = (
    models.CharField, models.TextField, models.IntegerField, models.BigIntegerField,
    models.SmallIntegerField, models.PositiveIntegerField, models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField, models.BooleanField, models.DateTimeField, models.AutoField,
    models.BigAutoField, models.ForeignKey, models.EmailField, models.URLField,
)  # fmt: skip


def insert(objs: list) -> list:
    """Insert ``objs`` (one model, not saved yet); they hold their ids afterwards."""
    if not objs:
        return objs
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=_BATCH)
        return objs
    _draw_ids(model, [obj for obj in objs if obj.pk is None])
    _copy(model._meta.db_table, model._meta.concrete_fields, objs)
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
    return objs


def insert_rows(model, names: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert rows of ``model`` given as tuples of the values of its fields ``names``
    (attribute names: ``consumer_id``), as an instance would hold them; the primary key, when
    not named, comes from the table's own sequence. For rows nobody reads back as objects
    (history records): building them as tuples costs a tenth of building instances."""
    fields = [model._meta.get_field(name) for name in names]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            [model(**dict(zip(names, row, strict=True))) for row in rows], batch_size=_BATCH
        )
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    # JSON goes as its text (the server parses it, as it would the driver's own dump)
    encoded = [
        (place, field.encoder)
        for place, field in enumerate(fields)
        if isinstance(field, models.JSONField)
    ]
    statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            if encoded:
                row = list(row)
                for place, encoder in encoded:
                    if row[place] is not None:
                        row[place] = json.dumps(row[place], cls=encoder)
            copy.write_row(row)


def update(objs: list, fields: list[str]) -> None:
    """Store the ``fields`` of ``objs`` (one model, saved before): ``UPDATE … FROM`` a copied
    table. Django's ``bulk_update`` builds a ``CASE`` per field and row, and spent seconds
    compiling a hundred rows."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(objs, fields, batch_size=_BATCH)
        return
    meta = model._meta
    quote = connection.ops.quote_name
    written = [meta.pk, *(meta.get_field(name) for name in fields)]
    columns = ", ".join(quote(field.column) for field in written)
    table = quote(meta.db_table)
    changes = ", ".join(
        f"{quote(field.column)} = keel_update.{quote(field.column)}" for field in written[1:]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE keel_update ON COMMIT DROP AS "
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        _copy("keel_update", written, objs)
        cursor.execute(
            f"UPDATE {table} SET {changes} FROM keel_update "
            f"WHERE {table}.{quote(meta.pk.column)} = keel_update.{quote(meta.pk.column)}"
        )
        cursor.execute("DROP TABLE keel_update")


def upsert(objs: list, *, unique: str, update: list[str]) -> None:
    """Insert ``objs``, or update the ``update`` fields of the rows whose ``unique`` column
    already holds their value (``INSERT … ON CONFLICT DO UPDATE`` from a copied table)."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            objs, update_conflicts=True, unique_fields=[unique], update_fields=update,
            batch_size=_BATCH,
        )  # fmt: skip
        return
    meta = model._meta
    fields = meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    key = quote(meta.get_field(unique).column)
    changes = ", ".join(
        f"{quote(meta.get_field(name).column)} = EXCLUDED.{quote(meta.get_field(name).column)}"
        for name in update
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE keel_upsert (LIKE {quote(meta.db_table)}) ON COMMIT DROP"
        )
        _copy("keel_upsert", fields, objs)
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) SELECT {columns} FROM keel_upsert "
            f"ON CONFLICT ({key}) DO UPDATE SET {changes}"
        )
        cursor.execute("DROP TABLE keel_upsert")


def _draw_ids(model, objs) -> None:
    for obj, value in zip(objs, ids(model, len(objs)), strict=True):
        obj.pk = value


def ids(model, count: int) -> list[int]:
    """``count`` new primary keys of ``model``, from its table's sequence (PostgreSQL)."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [value for (value,) in cursor.fetchall()]


def _copy(table: str, fields, objs) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    now = timezone.now()  # one instant for the batch, as one statement would have
    values = [_reader(field, now) for field in fields]
    statement = f"COPY {quote(table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for obj in objs:
            copy.write_row([value(obj) for value in values])


def _reader(field, now):
    """How a row's value of ``field`` is read from an object: its attribute as it is, unless
    saving sets it (``auto_now``: to ``now``, on the object too) or the database wants it
    prepared (JSON and the like)."""
    automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    if automatic and isinstance(field, models.DateTimeField):
        attname = field.attname

        def stamped(obj):
            setattr(obj, attname, now)
            return now

        return stamped
    if isinstance(field, _AS_IS) and not automatic:
        return attrgetter(field.attname)
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)
