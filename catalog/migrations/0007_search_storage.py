"""Stored search vectors and trigram indexes, on PostgreSQL only (``portal.search_indexes``)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from portal.search import TAG_FIELDS, TEXT_FIELDS
from portal.search_indexes import add_search_storage, remove_search_storage

VECTORS = ["service", "api", "datadomain", "resource"]
TRIGRAMS = {
    **{f"catalog.{name}": TEXT_FIELDS[f"catalog.{name}"] for name in VECTORS},
    "catalog.tag": TAG_FIELDS,
}


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_service_documents")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(
            add_search_storage("catalog", VECTORS, TRIGRAMS),
            remove_search_storage("catalog", VECTORS, TRIGRAMS),
        ),
    ]
