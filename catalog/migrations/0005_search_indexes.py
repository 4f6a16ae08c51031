"""GIN indexes of the full-text search vector, on PostgreSQL only (``portal.search_indexes``)."""

from django.db import migrations

from portal.search_indexes import add_search_indexes, remove_search_indexes

MODELS = ["service", "api", "datadomain", "resource"]


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_slug_name_rule")]

    operations = [
        migrations.RunPython(
            add_search_indexes("catalog", MODELS), remove_search_indexes("catalog", MODELS)
        )
    ]
