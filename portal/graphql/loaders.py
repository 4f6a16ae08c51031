"""Synchronous per-request batching for nested GraphQL fields.

graphene 3 dropped promise-based DataLoaders, and async ones would need an async view and
``sync_to_async`` around every query. Instead, every list the API returns remembers its
*siblings* (the other objects of the same page or batch). When a nested field is first asked
for on one object, its loader fetches the relation for all the siblings in one query and caches
the answers on the request; the siblings that follow are served from that cache. The results of
a batch become siblings in turn, so each level of a nested query costs one query however many
objects it holds.

Every batch passes through ``portal.permissions.restrict``, the one permission path.
"""

from abc import ABC, abstractmethod

from django.db import models

from portal.permissions import restrict

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

    Subclasses implement ``fetch(info, keys, **params)`` returning ``{key: value}``. A loader is
    declared once at module level; its cache lives on the request, per set of ``params``.
    """

    many = False

    def load(self, info, obj, attr: str = "pk", **params):
        """The value for ``getattr(obj, attr)``, fetched together with the siblings' keys."""
        key = getattr(obj, attr)
        if key is None:
            return self.missing()
        cache = request_cache(info).setdefault((self, tuple(sorted(params.items()))), {})
        if key not in cache:
            keys = {getattr(o, attr, None) for o in _siblings(obj)} | {key}
            keys -= cache.keys() | {None}
            found = self.fetch(info, keys, **params)
            for each in keys:
                cache[each] = found.get(each, self.missing())
            mark_siblings(self.objects_in(found.values()))
        return cache[key]

    def missing(self):
        return [] if self.many else None

    def objects_in(self, values):
        """The model instances among fetched values, which become siblings of each other."""
        if self.many:
            return [item for value in values for item in value]
        return list(values)

    @abstractmethod
    def fetch(self, info, keys, **params) -> dict:
        """``{key: value}`` for every key that has a value."""


class ById(Loader):
    """A to-one relation: objects of ``model`` by primary key (pass the foreign key's attname)."""

    def __init__(self, model: type[models.Model], *select_related: str):
        self.model, self.select_related = model, select_related

    def fetch(self, info, keys, **params) -> dict:
        queryset = _joined(self.model._default_manager.all(), self.select_related)
        return restrict(queryset, info.context.user).in_bulk(list(keys))


class ByForeignKey(Loader):
    """A to-many relation: rows of ``model`` whose ``key`` foreign key is among the keys.

    With ``pick``, each row is replaced by one of its related objects (the far side of a
    through table, such as the API of a consumption); ``defer`` leaves columns unread.
    """

    many = True

    def __init__(self, model: type[models.Model], key: str, *, pick: str = "", select=(), defer=()):
        self.model, self.key, self.pick, self.defer = model, key, pick, tuple(defer)
        self.select_related = (*select, pick) if pick else tuple(select)

    def fetch(self, info, keys, **params) -> dict:
        queryset = self.model._default_manager.filter(**{f"{self.key}__in": keys})
        queryset = _joined(queryset, self.select_related).defer(*self.defer)
        grouped: dict = {}
        for row in restrict(queryset, info.context.user):
            value = getattr(row, self.pick) if self.pick else row
            grouped.setdefault(getattr(row, f"{self.key}_id"), []).append(value)
        return grouped
