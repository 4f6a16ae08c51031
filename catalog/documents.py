"""The read model: each service's REST representation, rendered in the transaction that
changes anything it shows, so that a read is one indexed query and no serializer.

What a service's document shows comes from its own row and tags and from the rows around it
(its APIs, consumptions, resources, outgoing and first incoming dependencies). Model signals
name the services each saved or deleted row appears in; the names are kept for the
transaction and rendered once at its end (``portal.writes.atomic_write`` calls ``flush``
before moving the catalog generation), or at once for a write outside the write layer (a
test factory, the shell). Signals see every write of a model instance, cascades included;
what they miss is said where it is handled: a domain's or tag's deletion (``_before_delete``)
and ``bulk_create`` (``refresh``, which ``generate_catalog`` calls).

A row whose content changes is stamped with the generation of its write, after the
generation moves (``stamp``): readers that follow the catalog by generation (the dependency
graph) read only the rows changed since the generation they hold.
"""

import hashlib
import logging
from collections import defaultdict
from functools import cache

from django.db import connection
from django.db.models import OuterRef, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from rest_framework.renderers import JSONRenderer

from portal import copying, writes
from portal.api.bulk_render import BulkRenderer, among
from portal.lookups import slug_key

from .models import (
    Api,
    ApiConsumption,
    DataDomain,
    Dependency,
    Resource,
    Service,
    ServiceDocument,
    System,
    Tag,
)

logger = logging.getLogger(__name__)

# A tombstone older than this many generations is removed; a reader further behind reloads.
TOMBSTONE_GENERATIONS = 100_000
_BATCH = 2000


def _pending() -> set[int]:
    """The services whose documents this connection's open write has to render."""
    return writes.pending("documents")


# --- which documents a row appears in -------------------------------------------------------

# For each model a document shows, the keys of the services whose documents show its rows.
_SHOWN_IN = {
    Service: ("pk",),
    Api: ("provider_id",),
    ApiConsumption: ("consumer_id",),
    Dependency: ("source_id", "target_service_id"),
    Resource: ("service_id",),
}


def _shown_in(instance) -> set[int]:
    """The services whose documents show ``instance``, by the foreign keys it holds."""
    return {getattr(instance, name) for name in _SHOWN_IN[type(instance)]} - {None}


def _moved(instance) -> set[int]:
    """Before an update: the documents the stored row appeared in, and, when a transfer moves
    it, those that name it through its owner (an API's consumers show its provider; a
    resource's dependents depend on its service)."""
    model = type(instance)
    owner = {Api: "provider_id", Resource: "service_id"}.get(model)
    if owner is None:  # other relations never change once created (catalog.actions)
        return set()
    stored = model._default_manager.filter(pk=instance.pk).values_list(owner, flat=True).first()
    if stored is None or stored == getattr(instance, owner):
        return set()
    if model is Api:
        named = ApiConsumption.objects.filter(api=instance.pk).values_list("consumer", flat=True)
    else:
        named = Dependency.objects.filter(target_resource=instance.pk).values_list(
            "source", flat=True
        )
    return {stored, *named}


# --- following writes -----------------------------------------------------------------------


def _note(ids) -> None:
    _pending().update(ids)
    if not writes.in_write():  # a write outside the write layer: end it as the layer does
        with writes.atomic_write():
            pass


def _before_save(sender, instance, raw=False, **kwargs):
    if not raw and not instance._state.adding and instance.pk is not None:
        _pending().update(_moved(instance))


def _after_change(sender, instance, raw=False, **kwargs):
    if not raw:
        _note(_shown_in(instance))


def _before_delete(sender, instance, **kwargs):
    """A domain's, a system's or a tag's services lose it by statements that send no signal
    (an UPDATE setting the domain or system to null, the removal of the tag's links): name
    them before it goes."""
    _pending().update(instance.services.values_list("pk", flat=True))


def _after_delete(sender, instance, **kwargs):
    _note(())


def _tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:  # a service's tags
        services = {instance.pk}
    elif action == "pre_clear":  # a tag's services, about to be told apart from it
        services = set(instance.services.values_list("pk", flat=True))
    else:
        services = set(pk_set or ())
    if action.startswith("pre_"):
        _pending().update(services)
    else:
        _note(services)


for _model in _SHOWN_IN:
    pre_save.connect(_before_save, sender=_model, dispatch_uid=f"documents-pre-{_model.__name__}")
    post_save.connect(_after_change, sender=_model, dispatch_uid=f"documents-{_model.__name__}")
    post_delete.connect(
        _after_change, sender=_model, dispatch_uid=f"documents-del-{_model.__name__}"
    )
for _model in (DataDomain, System, Tag):
    pre_delete.connect(_before_delete, sender=_model, dispatch_uid=f"documents-{_model.__name__}")
    post_delete.connect(
        _after_delete, sender=_model, dispatch_uid=f"documents-del-{_model.__name__}"
    )
m2m_changed.connect(_tags_changed, sender=Service.tags.through, dispatch_uid="documents-tags")


# --- rendering ------------------------------------------------------------------------------


def _serializers():
    from .api.serializers import ServiceDetailSerializer, ServiceSerializer

    return ServiceDetailSerializer, ServiceSerializer


def _fields(serializer) -> list:
    return [
        (name, type(field).__name__, _fields(getattr(field, "child", field)))
        if hasattr(getattr(field, "child", field), "fields")
        else (name, type(field).__name__)
        for name, field in serializer.fields.items()
    ]


@cache
def shape() -> str:
    """A digest of the fields the documents show: it changes with the serializers."""
    described = repr([_fields(serializer()) for serializer in _serializers()])
    return hashlib.sha256(described.encode()).hexdigest()[:16]


@cache
def _renderer() -> BulkRenderer:
    """The serializers' representations read from rows, not instances: a tenth of the cost."""
    return BulkRenderer(Service.objects.with_neighbours(), _serializers())


def render(ids) -> dict[int, ServiceDocument]:
    """Fresh documents of the services ``ids`` that exist (the others are gone)."""
    ids = list(ids)
    targets = _targets(ids)
    dump = JSONRenderer().render
    return {
        pk: ServiceDocument(
            service_id=pk,
            detail=dump(detail).decode(),
            item=dump(item).decode(),
            targets=targets.get(pk, []),
            shape=shape(),
        )
        for pk, (detail, item) in _renderer().render(Service.objects.with_neighbours(), ids).items()
    }


def _targets(ids: list[int]) -> dict[int, list[int]]:
    """The services each of ``ids`` depends on; a resource stands for the service that owns
    it."""
    targets = defaultdict(set)
    edges = Dependency.objects.filter(source__in=among(ids)).order_by()
    for source, service, owner in edges.values_list(
        "source", "target_service", "target_resource__service"
    ):
        targets[source].add(service or owner)
    return {pk: sorted(found - {pk, None}) for pk, found in targets.items()}


def flush() -> list[int]:
    """Render the open write's pending documents and store those whose content changed;
    the ids stored (to ``stamp`` once the generation has moved)."""
    pending = _pending()
    ids = sorted(pending)
    pending.clear()
    changed = []
    for start in range(0, len(ids), _BATCH):
        changed += _store(ids[start : start + _BATCH])
    return changed


def _store(ids: list[int]) -> list[int]:
    fresh = render(ids)
    stored = {
        row[0]: row[1:]
        for row in ServiceDocument.objects.filter(pk__in=ids).values_list(
            "pk", "detail", "item", "targets", "shape"
        )
    }
    writes_, gone = [], []
    for pk in ids:
        document = fresh.get(pk)
        if document is not None:
            if stored.get(pk) != (document.detail, document.item, document.targets, shape()):
                writes_.append(document)
        elif pk in stored and stored[pk][0] is not None:
            gone.append(pk)
    copying.upsert(writes_, unique="service", update=["detail", "item", "targets", "shape"])
    ServiceDocument.objects.filter(pk__in=gone).update(detail=None, item=None, targets=[])
    return [document.service_id for document in writes_] + gone


def stamp(ids: list[int], generation: int) -> None:
    """Mark the rows just stored as changed at ``generation``; forget old tombstones."""
    for start in range(0, len(ids), _BATCH):
        ServiceDocument.objects.filter(pk__in=ids[start : start + _BATCH]).update(
            generation=generation
        )
    ServiceDocument.objects.filter(
        detail__isnull=True, generation__lt=generation - TOMBSTONE_GENERATIONS
    ).delete()


# --- reading --------------------------------------------------------------------------------


def item():
    """A service's list document, as an expression of a services queryset: a subquery, which
    PostgreSQL reads only for the rows of the page, after sorting (a join would carry every
    matching row's document through the sort)."""
    return Subquery(ServiceDocument.objects.filter(pk=OuterRef("pk")).values("item"))


def detail(services, slug) -> str | None:
    """The detail document of the service of ``services`` that ``slug`` names, or None.

    When ``services`` is every service (what ``portal.permissions.restrict`` gives anyone
    who may view), the statement is compiled once per process and only run: compiling it
    cost a fifth of the whole read. Any other queryset is asked through the ORM.
    """
    key = slug_key(slug)
    if key is None or services.query.is_empty():
        return None
    if services.model is Service and not services.query.where:
        with connection.cursor() as cursor:
            cursor.execute(_detail_statement(connection.vendor), [key])
            rows = cursor.fetchall()
    else:
        rows = services.filter(slug=key).order_by().values_list("pk", "document__detail")
    found = completed(rows, "detail")
    return found[0] if found else None


@cache
def _detail_statement(vendor: str) -> str:
    by_slug = Service.objects.filter(slug="").order_by().values_list("pk", "document__detail")
    return by_slug.query.sql_with_params()[0]


def completed(rows, field: str) -> list[str]:
    """The documents of ``rows``, ``(pk, document)`` pairs read with the ``field`` document
    ("detail" or "item") of each service. A service written behind the write layer's back
    has none yet: it is rendered here (and logged), not left out."""
    rows = list(rows)
    missing = [pk for pk, body in rows if body is None]
    if missing:
        logger.warning("services without a %s document: %s", field, missing)
        fresh = render(missing)
        rows = [(pk, body or getattr(fresh[pk], field)) for pk, body in rows if body or pk in fresh]
    return [body for _, body in rows]


def refresh(ids) -> None:
    """Render again the documents of the services ``ids`` after writes that sent no signals
    (``bulk_create``): at the end of the open write, or now."""
    _note(set(ids))


def refresh_outdated(**kwargs) -> None:
    """After ``migrate``: render the documents that a release's new shape, or a service
    written behind the write layer's back, left missing or out of date."""
    outdated = Service.objects.exclude(document__shape=shape()).values_list("pk", flat=True)
    _note(set(outdated))


writes.at_write_end(flush, stamp)
