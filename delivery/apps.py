from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "delivery"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.home import latest_runs, pending_work
        from scaffolding.signals import repository_pushed

        from . import pending, scheduling

        pending_work.register(pending.runs_in_flight)
        latest_runs.register(pending.latest_runs)
        # A push to main of a Keel-hosted repository starts a run of its pipeline.
        repository_pushed.connect(scheduling.run_pushed_commit, dispatch_uid="delivery-push")
