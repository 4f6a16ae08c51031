from django.apps import AppConfig


class ScaffoldingConfig(AppConfig):
    name = "scaffolding"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.home import pending_work

        from . import signals  # noqa: F401 - connects the service-deletion hook
        from .pending import scaffold_runs

        pending_work.register(scaffold_runs)
