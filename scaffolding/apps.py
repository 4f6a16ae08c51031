from django.apps import AppConfig


class ScaffoldingConfig(AppConfig):
    name = "scaffolding"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401 - connects the service-deletion hook
