"""Search storage for systems and business domains, on PostgreSQL only (``portal.search_indexes``)."""

from django.db import migrations

from portal.search import TEXT_FIELDS
from portal.search_indexes import add_search_storage, remove_search_storage

VECTORS = ["system", "businessdomain"]
TRIGRAMS = {f"catalog.{name}": TEXT_FIELDS[f"catalog.{name}"] for name in VECTORS}


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_idempotency_key"),
        ("catalog", "0008_systems_business_domains"),
    ]

    operations = [
        migrations.RunPython(
            add_search_storage("catalog", VECTORS, TRIGRAMS, replacing=False),
            remove_search_storage("catalog", VECTORS, TRIGRAMS, replacing=False),
        )
    ]
