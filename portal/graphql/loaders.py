"""Synchronous per-request batching for nested GraphQL fields.

graphene 3 dropped promise-based DataLoaders, and async ones would need an async view and
``sync_to_async`` around every query. Instead, every list the API returns remembers its
*siblings* (the other objects of the same page or batch). When a nested field is first asked
for on one object, its loader fetches the relation for all the siblings in one query and caches
the answers on the request; the siblings that follow are served from that cache. The results of
a batch become siblings in turn, so each level of a nested query costs one query however many
objects it holds.

Every batch passes through ``portal.permissions.restrict``, the one permission path, and
reads only the columns the query selects (``selection``).
"""

from abc import ABC, abstractmethod

from django.db import models
from graphql import get_named_type

from portal.permissions import restrict

from .selection import columns

_SIBLINGS = "_graphql_siblings"
_CACHE = "_graphql_loaders"


def mark_siblings(objects) -> list:
    """Remember that ``objects`` were returned together, so their relations load together."""
    group = list(objects)
    for obj in group:
        obj.__dict__[_SIBLINGS] = group
    return group


def _siblings(obj) -> list:
    return obj.__dict__.get(_SIBLINGS) or [obj]


def request_cache(info) -> dict:
    """The dictionary kept on the request (``info.context``) for loaders and the graph."""
    return info.context.__dict__.setdefault(_CACHE, {})


def clear_request_cache(info) -> None:
    """Forget what was loaded: called after each write so payloads show the new state."""
    info.context.__dict__.pop(_CACHE, None)


def _joined(queryset, relations):
    """``select_related(*relations)``, except that no relations means none: Django reads an
    empty ``select_related()`` as "every non-null foreign key, all the way down"."""
    return queryset.select_related(*relations) if relations else queryset


class Loader(ABC):
    """Loads one relation for every sibling of an object at once.

    Subclasses implement ``fetch(info, keys, only, **params)`` returning ``{key: value}``,
    reading the fields ``only`` names (all of them when it is None, see ``columns``). A loader
    is declared once at module level; its cache lives on the request, per set of ``params``
    and of fields read, so that objects read narrowly for one part of a query are never
    served to a part that asks for more.
    """

    many = False

    def load(self, info, obj, attr: str = "pk", **params):
        """The value for ``getattr(obj, attr)``, fetched together with the siblings' keys."""
        key = getattr(obj, attr)
        if key is None:
            return self.missing()
        only = self._columns(info)
        cache = request_cache(info).setdefault((self, tuple(sorted(params.items())), only), {})
        if key not in cache:
            keys = {getattr(o, attr, None) for o in _siblings(obj)} | {key}
            keys -= cache.keys() | {None}
            found = self.fetch(info, keys, only, **params)
            for each in keys:
                cache[each] = found.get(each, self.missing())
            mark_siblings(self.objects_in(found.values()))
        return cache[key]

    def _columns(self, info) -> tuple | None:
        """``columns`` for the field being resolved, worked out once per place in the query
        (siblings share their field's nodes)."""
        memo = request_cache(info).setdefault("columns", {})
        nodes = info.field_nodes
        found = memo.get((self, id(nodes)))
        if found is None or found[0] is not nodes:
            found = memo[(self, id(nodes))] = (nodes, self.columns(info))
        return found[1]

    def columns(self, info) -> tuple | None:
        """The fields to read for the selection at ``info`` (sorted), or None for all."""
        return None

    def missing(self):
        return [] if self.many else None

    def objects_in(self, values):
        """The model instances among fetched values, which become siblings of each other."""
        if self.many:
            return [item for value in values for item in value]
        return list(values)

    @abstractmethod
    def fetch(self, info, keys, only, **params) -> dict:
        """``{key: value}`` for every key that has a value."""


def _narrowed(queryset, only, joined):
    """``queryset`` joined to the ``joined`` relations and reading the fields ``only`` names;
    with ``only``, a relation none of them reaches is not joined."""
    if only is None:
        return _joined(queryset, joined)
    reached = {name.split("__", 1)[0] for name in only}
    return _joined(queryset, [r for r in joined if r in reached]).only(*only)


def _selected(info, model, joined=(), prefix="") -> list[str] | None:
    """``selection.columns`` below the field being resolved, each prefixed with ``prefix``;
    None (read everything) unless the field returns objects of ``model``'s own type, whose
    fields ``columns`` maps (a resolver that turns the objects into something else, such as
    tag names, may read any field)."""
    object_type = get_named_type(info.return_type)
    graphene_type = getattr(object_type, "graphene_type", None)
    if getattr(getattr(graphene_type, "_meta", None), "model", None) is not model:
        return None
    return [prefix + c for c in columns(info, model, object_type, info.field_nodes, joined)]


class ById(Loader):
    """A to-one relation: objects of ``model`` by primary key (pass the foreign key's attname)."""

    def __init__(self, model: type[models.Model], *select_related: str):
        self.model, self.select_related = model, select_related

    def columns(self, info):
        fields = _selected(info, self.model, self.select_related)
        return None if fields is None else tuple(sorted(fields))

    def fetch(self, info, keys, only, **params) -> dict:
        queryset = _narrowed(self.model._default_manager.all(), only, self.select_related)
        return restrict(queryset, info.context.user).in_bulk(list(keys))


class ByForeignKey(Loader):
    """A to-many relation: rows of ``model`` whose ``key`` foreign key is among the keys.

    With ``pick``, each row is replaced by one of its related objects (the far side of a
    through table, such as the API of a consumption). Each key's rows keep the model's
    ordering, without its terms on the key itself: they are the same within a key, and
    ordering by them would join the key's table (members by team slug) for nothing.
    """

    many = True

    def __init__(self, model: type[models.Model], key: str, *, pick: str = "", select=()):
        self.model, self.key, self.pick = model, key, pick
        self.select_related = (*select, pick) if pick else tuple(select)

    def columns(self, info):
        if not self.pick:
            fields = _selected(info, self.model, self.select_related)
        else:
            picked = self.model._meta.get_field(self.pick).related_model
            fields = _selected(info, picked, prefix=f"{self.pick}__")
        if fields is None:
            return None
        return tuple(sorted({*fields, self.model._meta.pk.name, self.key}))

    def _ordering(self) -> list:
        return [
            term
            for term in self.model._meta.ordering
            if not isinstance(term, str) or term.lstrip("-").split("__")[0] != self.key
        ]

    def fetch(self, info, keys, only, **params) -> dict:
        queryset = self.model._default_manager.filter(**{f"{self.key}__in": keys})
        queryset = _narrowed(queryset, only, self.select_related).order_by(*self._ordering())
        grouped: dict = {}
        for row in restrict(queryset, info.context.user):
            value = getattr(row, self.pick) if self.pick else row
            grouped.setdefault(getattr(row, f"{self.key}_id"), []).append(value)
        return grouped
