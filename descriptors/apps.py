from django.apps import AppConfig


class DescriptorsConfig(AppConfig):
    name = "descriptors"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal import writes

        from .managed import refuse_managed

        writes.guard_changes(refuse_managed)
