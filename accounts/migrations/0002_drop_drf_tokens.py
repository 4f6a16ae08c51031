"""DRF's authtoken keys were stored in clear, so they are dropped rather than converted:
anyone who read the database or a backup has them. People create new, hashed tokens on the
tokens page (or with ``manage.py create_token``). The app is no longer installed, so its table
and migration rows go here."""

from django.db import migrations

DROP = [
    "DROP TABLE IF EXISTS authtoken_token",
    "DELETE FROM django_migrations WHERE app = 'authtoken'",
]


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_api_tokens")]

    operations = [migrations.RunSQL(DROP, reverse_sql=migrations.RunSQL.noop)]
