from django.apps import AppConfig


class DescriptorsConfig(AppConfig):
    name = "descriptors"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal import writes
        from portal.home import pending_work
        from scaffolding.signals import repository_pushed

        from . import syncing
        from .managed import refuse_managed
        from .pending import import_runs

        writes.guard_changes(refuse_managed)
        pending_work.register(import_runs)
        # A push to a Keel-hosted repository re-reads the locations that read it.
        repository_pushed.connect(syncing.read_pushed_repository, dispatch_uid="descriptors-push")
