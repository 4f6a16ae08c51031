"""Signals the catalog sends, so that apps built on it can follow its changes without the
catalog importing them (``scaffolding`` depends on ``catalog``, never the reverse).

``service_deleted(sender=Service, service=, actor=, via=)``
    Sent by ``catalog.actions.delete_service`` inside its transaction, after the permission
    check and before the service's rows are removed, so a receiver can still read what points
    at the service. Receivers write through their own actions in that same transaction (a
    refusal rolls the whole deletion back) and defer anything outside the database with
    ``transaction.on_commit``. ``scaffolding`` removes the service's repository this way.

``consumption_changed(sender=ApiConsumption, consumption=, api=, actor=, via=)``
    Sent by ``update_consumption`` and ``remove_consumption`` inside their transaction,
    after the write (``consumption`` is None once removed): a consumer that declares another
    version range, or stops consuming, may release a breaking version waiting on it
    (``contracts``).
"""

from django.dispatch import Signal

service_deleted = Signal()
consumption_changed = Signal()
