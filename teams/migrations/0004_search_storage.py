"""The stored search vector and trigram indexes of teams and of the people who search for
their teams, on PostgreSQL only (``portal.search_indexes``)."""

from django.conf import settings
from django.db import migrations

from portal.search import PERSON_FIELDS, TEXT_FIELDS
from portal.search_indexes import add_search_storage, remove_search_storage

TRIGRAMS = {"teams.team": TEXT_FIELDS["teams.team"], settings.AUTH_USER_MODEL: PERSON_FIELDS}


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0003_search_index"),
        ("catalog", "0007_search_storage"),  # creates the pg_trgm extension
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(
            add_search_storage("teams", ["team"], TRIGRAMS),
            remove_search_storage("teams", ["team"], TRIGRAMS),
        )
    ]
