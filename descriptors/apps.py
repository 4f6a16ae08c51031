from django.apps import AppConfig


class DescriptorsConfig(AppConfig):
    name = "descriptors"
    default_auto_field = "django.db.models.BigAutoField"
