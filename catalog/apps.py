from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CatalogConfig(AppConfig):
    name = "catalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import documents  # keeps the services' documents with every write

        post_migrate.connect(documents.refresh_outdated, sender=self)
