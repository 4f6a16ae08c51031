"""Hooks (not business logic): a deleted catalog service takes its repository with it
(``scaffolding.actions.retire_repository``). Catalog never imports scaffolding; it announces
the deletion with ``catalog.signals.service_deleted`` and this receiver acts on it."""

from django.dispatch import receiver

from catalog.signals import service_deleted


@receiver(service_deleted)
def retire_repository(sender, service, actor, via, **kwargs):
    from .actions import retire_repository

    retire_repository(service, actor=actor, via=via)
