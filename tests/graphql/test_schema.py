from pathlib import Path

from django.conf import settings

from portal.graphql.schema import schema

SCHEMA_FILE = Path(settings.BASE_DIR) / "schema.graphql"
REGENERATE = (
    ".venv/bin/python manage.py graphql_schema --schema portal.graphql.schema.schema "
    "--out schema.graphql"
)


def test_committed_schema_matches_the_live_schema():
    # given the schema file committed at the repository root
    committed = SCHEMA_FILE.read_text()
    # when the live schema is printed
    live = str(schema)
    # then they are the same, or the API changed without the file (or the reverse)
    assert committed.strip() == live.strip(), (
        f"schema.graphql is out of date: regenerate it with `{REGENERATE}` and review the diff."
    )


def test_every_object_type_lists_its_model_fields_explicitly():
    # given every Django-backed type in the schema
    from graphene_django.registry import get_global_registry

    types = get_global_registry()._registry.values()
    # then none exposes a model field it did not name (no password, no internal id)
    for django_type in types:
        assert django_type._meta.fields, django_type
        assert "id" not in django_type._meta.fields, django_type
    assert "password" not in str(schema)
