"""The GIN index of the full-text search vector, on PostgreSQL only (``portal.search_indexes``)."""

from django.db import migrations

from portal.search_indexes import add_search_indexes, remove_search_indexes


class Migration(migrations.Migration):
    dependencies = [("teams", "0002_slug_name_rule")]

    operations = [
        migrations.RunPython(
            add_search_indexes("teams", ["team"]), remove_search_indexes("teams", ["team"])
        )
    ]
