"""The indexes behind search, made by migrations on PostgreSQL only: SQLite has no text
vectors or trigrams, and its search scans instead.

- ``catalog`` 0005 and ``teams`` 0003 made a GIN index of ``portal.search.document_vector``
  per kind. ``catalog`` 0007 and ``teams`` 0004 replace it with a stored generated column,
  ``search_vector``, of the same expression, and a GIN index of that column: PostgreSQL
  computes the column from the row in every write, so it cannot go stale, and ranking reads
  it instead of parsing every matched row's text again.
- ``portal`` 0004 gives systems and business domains (new in ``catalog`` 0008) the same
  column and indexes; it lives in ``portal`` so that catalog's own migrations stay in one line.
- They also add a trigram GIN index of ``UPPER(portal.search.haystack(fields))`` per table
  a word is looked for in (each kind's ``TEXT_FIELDS``, tags, people): the very expression
  ``icontains`` compares, so the planner answers each word from the index.

Changing ``document_vector``, ``haystack`` or the fields needs a new migration that makes
these again, or the search stops using them. PostgreSQL refuses to change the type of a
column the generated column reads (slug, name, description) while it exists: a migration
that does runs ``remove_search_storage`` before and ``add_search_storage`` after.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db.models.functions import Upper
from django.db.models.sql import Query


def _index(model_name: str) -> GinIndex:
    from portal.search import document_vector

    return GinIndex(document_vector(), name=f"{model_name[:20]}_search")


def add_search_indexes(app_label: str, model_names: list[str]):
    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in model_names:
            schema_editor.add_index(apps.get_model(app_label, name), _index(name))

    return forwards


def remove_search_indexes(app_label: str, model_names: list[str]):
    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in model_names:
            schema_editor.remove_index(apps.get_model(app_label, name), _index(name))

    return backwards


def _sql(model, expression, schema_editor) -> str:
    """``expression`` as SQL on ``model``'s table, its values inlined for DDL."""
    query = Query(model, alias_cols=False)
    compiler = query.get_compiler(connection=schema_editor.connection)
    sql, params = compiler.compile(expression.resolve_expression(query, allow_joins=False))
    return sql % tuple(schema_editor.quote_value(param) for param in params)


def _add_trigrams(model, fields, schema_editor) -> None:
    from portal.search import haystack

    quote = schema_editor.quote_name
    text = _sql(model, Upper(haystack(fields)), schema_editor)
    schema_editor.execute(
        f"CREATE INDEX {quote(_trigrams(model))} ON {quote(model._meta.db_table)}"
        f" USING gin (({text}) gin_trgm_ops)"
    )


def _trigrams(model) -> str:
    return f"{model._meta.model_name[:20]}_trigrams"


def _add_vector(model, schema_editor) -> None:
    from portal.search import VECTOR_COLUMN, document_vector

    quote = schema_editor.quote_name
    table, column = quote(model._meta.db_table), quote(VECTOR_COLUMN)
    vector = _sql(model, document_vector(), schema_editor)
    schema_editor.execute(
        f"ALTER TABLE {table} ADD COLUMN {column} tsvector GENERATED ALWAYS AS ({vector}) STORED"
    )
    index = quote(f"{model._meta.model_name[:20]}_vector")
    schema_editor.execute(f"CREATE INDEX {index} ON {table} USING gin ({column})")


def _remove_vector(model, schema_editor) -> None:
    from portal.search import VECTOR_COLUMN

    quote = schema_editor.quote_name
    schema_editor.execute(
        f"ALTER TABLE {quote(model._meta.db_table)} DROP COLUMN {quote(VECTOR_COLUMN)}"
    )  # its index goes with it


def _models(apps, app_label, names):
    return [apps.get_model(app_label, name) for name in names]


def add_search_storage(
    app_label: str, vectors: list[str], trigrams: dict[str, tuple], *, replacing: bool = True
):
    """Stored vectors for the models named in ``vectors`` (replacing their expression indexes,
    unless ``replacing`` is False: kinds that never had one), and a trigram index per
    ``trigrams`` entry (a model, ``app_label.name``, and its fields)."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for model in _models(apps, app_label, vectors):
            if replacing:
                schema_editor.remove_index(model, _index(model._meta.model_name))
            _add_vector(model, schema_editor)
        for label, fields in trigrams.items():
            _add_trigrams(apps.get_model(label), fields, schema_editor)

    return forwards


def remove_search_storage(
    app_label: str, vectors: list[str], trigrams: dict[str, tuple], *, replacing: bool = True
):
    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for label in trigrams:
            schema_editor.execute(
                f"DROP INDEX {schema_editor.quote_name(_trigrams(apps.get_model(label)))}"
            )
        for model in _models(apps, app_label, vectors):
            _remove_vector(model, schema_editor)
            if replacing:
                schema_editor.add_index(model, _index(model._meta.model_name))

    return backwards
