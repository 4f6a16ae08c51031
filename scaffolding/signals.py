"""Signals scaffolding sends, and the hooks (not business logic) it connects.

``repository_pushed(sender=, slug=, ref=, commit=, pusher=)``
    Sent by ``git_http`` after a push over smart HTTP moved ``ref`` (``refs/heads/main``) of
    the Keel-hosted repository ``slug`` to ``commit``, outside any transaction; ``pusher`` is
    the user the push was authorised for. Apps that read
    the repository follow it without scaffolding importing them (``descriptors`` re-reads
    its git locations). Receivers queue work; they must not take long or raise.

A deleted catalog service takes its repository with it (``scaffolding.actions.retire_repository``).
Catalog never imports scaffolding; it announces the deletion with ``catalog.signals.service_deleted``
and the receiver below acts on it.
"""

from django.dispatch import Signal, receiver

from catalog.signals import service_deleted

repository_pushed = Signal()


@receiver(service_deleted)
def retire_repository(sender, service, actor, via, **kwargs):
    from .actions import retire_repository

    retire_repository(service, actor=actor, via=via)
