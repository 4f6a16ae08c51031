"""The GIN indexes behind full-text search, made by migrations (``catalog`` 0005, ``teams``
0003) on PostgreSQL only: SQLite has no text vectors, and its search scans instead.

Each index is the expression ``portal.search.document_vector`` builds, so the planner can
answer the search's ``@@`` from it. Changing that expression needs a new migration that makes
the indexes again, or they stop being used.
"""

from django.contrib.postgres.indexes import GinIndex


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
