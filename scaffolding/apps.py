from django.apps import AppConfig


class ScaffoldingConfig(AppConfig):
    name = "scaffolding"
    default_auto_field = "django.db.models.BigAutoField"
