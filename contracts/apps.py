from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from catalog import publishing
        from catalog.signals import consumption_changed, service_deleted
        from portal.home import pending_work

        from .actions import forget_deleted_consumer, review_consumption
        from .pending import acknowledgements_waiting
        from .publishing import ContractGovernance

        publishing.install(ContractGovernance())
        pending_work.register(acknowledgements_waiting)
        # A consumer that declares another range, or stops consuming, may release a version.
        consumption_changed.connect(review_consumption, dispatch_uid="contracts-consumption")
        service_deleted.connect(forget_deleted_consumer, dispatch_uid="contracts-service-deleted")
