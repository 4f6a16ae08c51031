"""Serializers' representations of many rows at once, rendered from ``values()`` rows.

DRF renders a model instance field by field through its generic attribute lookup; for the
catalog's stored documents that cost about a millisecond a service, three quarters of it
loading the rows and their prefetches as model instances. ``BulkRenderer`` walks the
serializers' declared fields once and keeps, for each, the column it shows and the field's
own ``to_representation``; a nested list is one query per relation for the whole batch.
So the serializers stay the one definition of the shape: a field that cannot be read the
way DRF reads it is refused when the renderer is built, never rendered differently.
"""

import json
from collections.abc import Callable, Iterable
from operator import itemgetter

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Prefetch, QuerySet
from django.db.models.expressions import RawSQL

# Django's own filter of a prefetch (it keeps a sliced queryset's slice per parent row).
from django.db.models.fields.related_descriptors import _filter_prefetch_queryset
from rest_framework import fields, relations, serializers
from rest_framework.settings import api_settings


class _Related(list):
    """Related instances where a field expects their manager (``tags.all()``)."""

    def all(self):
        return self


class _Reading:
    """What the renderers read of one model: the columns of its rows and, per to-many
    relation they show, the related rows (nested lists) or instances (many-to-many)."""

    def __init__(self, queryset: QuerySet):
        self.queryset = queryset  # the one compiled on: its annotations, its prefetches
        # the key by its name: "pk" beside "id" loses a column when a slice is read
        self.key = queryset.model._meta.pk.attname
        self.columns = {self.key}
        self.nested: dict[str, tuple] = {}  # attribute -> (foreign key, _Reading)
        self.instances: dict[str, object] = {}  # attribute -> many-to-many field
        self.memo: dict = {}  # (field, value) -> representation, during one render (_once)

    def rows(self, queryset: QuerySet) -> list[dict]:
        """The rows of ``queryset`` (shaped as the one compiled on), with their related rows."""
        rows = list(queryset.prefetch_related(None).values(*sorted(self.columns)))
        by_pk = {row[self.key]: row for row in rows}
        if not rows:
            return rows
        keys = among(by_pk, queryset.db)
        # related rows go under a tuple key, apart from the columns' names
        for attribute, (link, reading) in self.nested.items():
            for row in rows:
                row[attribute,] = []
            related = _related(queryset, attribute)[1]
            if related is None:
                related = link.model._default_manager.all()
            related = _filter_prefetch_queryset(related.all(), link.name, keys)
            for child in reading.rows(related):
                by_pk[child[link.attname]][attribute,].append(child)
        for attribute, m2m in self.instances.items():
            for row in rows:
                row[attribute,] = _Related()
            through = m2m.remote_field.through
            own, other = (
                through._meta.get_field(name).attname
                for name in (m2m.m2m_field_name(), m2m.m2m_reverse_field_name())
            )
            links = through._default_manager.filter(**{f"{own}__in": keys})
            # in the related model's own order, as a prefetch gives them
            related = m2m.related_model._default_manager.filter(pk__in=links.values(other))
            instances = {instance.pk: instance for instance in related}
            order = {pk: place for place, pk in enumerate(instances)}
            pairs = sorted(links.values_list(own, other), key=lambda pair: order[pair[1]])
            for pk, related_pk in pairs:
                by_pk[pk][attribute,].append(instances[related_pk])
        return rows


class BulkRenderer:
    """The representations by ``serializer_classes`` of rows of querysets shaped like
    ``queryset``: its annotations are columns, and its ``Prefetch`` objects say how a nested
    list is read (a ``to_attr``, a slice, an order). Built once: building it costs more than
    rendering a hundred rows."""

    def __init__(self, queryset: QuerySet, serializer_classes: Iterable[type]):
        self._reading = _Reading(queryset)
        self._renderers = [_compile(cls(), self._reading) for cls in serializer_classes]

    def render(self, queryset: QuerySet, pks: Iterable[int]) -> dict[int, list[dict]]:
        """Each row of ``queryset`` among ``pks``: its representations, one per serializer.
        ``queryset`` is asked anew each time (its slices and filters may depend on settings)."""
        queryset = queryset.filter(pk__in=among(pks, queryset.db))
        try:
            return {
                row[self._reading.key]: [render(row) for render in self._renderers]
                for row in self._reading.rows(queryset)
            }
        finally:
            self._reading.memo.clear()


def among(pks: Iterable[int], using: str = DEFAULT_DB_ALIAS) -> RawSQL:
    """Integer keys as one parameter, for ``__in``: compiling and sending 500 parameters
    cost the ORM and the driver more than the query (on PostgreSQL four fifths of it)."""
    if connections[using].vendor == "postgresql":
        # as the array's text: the driver dumps a list of thousands element by element
        return RawSQL(
            "SELECT unnest(%s::bigint[])", ["{" + ",".join(map(str, map(int, pks))) + "}"]
        )
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(pks))])


def _compile(serializer, reading: _Reading) -> Callable[[dict], dict]:
    if type(serializer).to_representation is not serializers.Serializer.to_representation:
        raise _refused(serializer, "has its own to_representation")
    steps = [
        (field.field_name, _step(field, reading))
        for field in serializer.fields.values()
        if not field.write_only
    ]
    return lambda row: {name: step(row) for name, step in steps}


def _step(field, reading: _Reading) -> Callable[[dict], object]:
    """How ``field`` is read from a row of ``reading``, as DRF reads it from an instance."""
    model, attributes = reading.queryset.model, field.source_attrs
    if isinstance(field, serializers.ListSerializer):
        if (
            type(field).to_representation is not serializers.ListSerializer.to_representation
            or type(field).get_attribute is not fields.Field.get_attribute
            or len(attributes) != 1
        ):
            raise _refused(field, "is a list not read from one relation")
        key = (attributes[0],)
        child = _compile(field.child, _nested(reading, attributes[0], field))
        return lambda row: [child(related) for related in row[key]]
    if isinstance(field, relations.RelatedField):
        if (
            type(field).to_representation is not relations.SlugRelatedField.to_representation
            or type(field).get_attribute is not relations.RelatedField.get_attribute
        ):
            raise _refused(field, "is a relation shown otherwise than by a slug field")
        _follow(model, field, attributes, last_may_be_empty=True)
        path = "__".join([*attributes, field.slug_field])
        reading.columns.add(path)
        return itemgetter(path)
    if (
        isinstance(field, serializers.BaseSerializer | relations.ManyRelatedField)
        or type(field).get_attribute is not fields.Field.get_attribute
        or not attributes
    ):
        raise _refused(field, "is not read from an attribute")
    *keys, attribute = attributes
    column = _model_field(_follow(model, field, keys), attribute)
    path, represent = "__".join(attributes), field.to_representation
    if (not keys and attribute in reading.queryset.query.annotations) or (
        column is not None and column.concrete and not column.is_relation
    ):
        reading.columns.add(path)
        if _unchanged(field, column):
            return itemgetter(path)
        if type(field).to_representation is fields.DateTimeField.to_representation:
            return _once(field, path, represent, reading.memo)
        return lambda row: None if (value := row[path]) is None else represent(value)
    if not keys and column is not None and column.many_to_many and column.concrete:
        reading.instances[attribute] = column
        key = (attribute,)
        return lambda row: represent(row[key])
    raise _refused(field, "is not a column, an annotation or a many-to-many relation")


def _once(field, path: str, represent, memo: dict) -> Callable[[dict], object]:
    """A time's representation, worked out once per value in a ``render`` call: rows
    written together share their times, and DRF's conversion to the current time zone cost
    a tenth of a bulk's rendering. (It depends on nothing else that can change during a
    call: the field's format and the active time zone.)"""

    def step(row):
        value = row[path]
        if value is None:
            return None
        key = (field, value)
        found = memo.get(key)
        if found is None:
            found = memo[key] = represent(value)
        return found

    return step


def _unchanged(field, column) -> bool:
    """Whether DRF's ``to_representation`` of ``field`` returns any value of ``column`` as it
    is (``str()`` of text, a text choice, ``int()`` of an integer): then it is not called."""
    kind = type(field).to_representation
    if isinstance(column, models.CharField | models.TextField):
        return kind is fields.CharField.to_representation or (
            kind is fields.ChoiceField.to_representation
            and all(type(value) is str for value in field.choice_strings_to_values.values())
        )
    if isinstance(column, models.IntegerField):
        return kind is fields.IntegerField.to_representation or (
            kind is fields.BigIntegerField.to_representation
            and not getattr(field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING)
        )
    return False


def _nested(reading: _Reading, attribute: str, field) -> _Reading:
    """The reading of the rows a nested list shows, through a reverse foreign key."""
    if attribute not in reading.nested:
        through, queryset = _related(reading.queryset, attribute)
        relation = _model_field(reading.queryset.model, through)
        if relation is None or not relation.one_to_many or not relation.field.concrete:
            raise _refused(field, "is not read through a reverse foreign key")
        if not relation.field.target_field.primary_key:
            raise _refused(field, "is read through a foreign key to a field other than the key")
        if queryset is None:
            queryset = relation.related_model._default_manager.all()
        nested = _Reading(queryset)
        nested.memo = reading.memo
        nested.columns.add(relation.field.attname)
        reading.nested[attribute] = (relation.field, nested)
    return reading.nested[attribute][1]


def _related(queryset: QuerySet, attribute: str) -> tuple[str, QuerySet | None]:
    """The relation that fills ``attribute`` of ``queryset``'s rows, and the queryset of the
    ``Prefetch`` that reads it (None: the related model's own)."""
    for lookup in queryset._prefetch_related_lookups:
        if isinstance(lookup, Prefetch) and lookup.prefetch_to == attribute:
            return lookup.prefetch_through, lookup.queryset
    return attribute, None


def _follow(model, field, keys: list[str], last_may_be_empty=False):
    """The model that the foreign keys ``keys`` of ``field``'s source lead to from ``model``.
    DRF leaves the field out when a key it follows further is empty, which a column cannot
    say: such a source is refused."""
    for place, name in enumerate(keys):
        key = _model_field(model, name)
        if key is None or not key.concrete or not (key.many_to_one or key.one_to_one):
            raise _refused(field, f"follows {name!r}, which is not a foreign key")
        if key.null and not (last_may_be_empty and place == len(keys) - 1):
            raise _refused(field, f"follows {name!r}, which can be empty, to another field")
        model = key.related_model
    return model


def _model_field(model, name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _refused(what, reason: str) -> ImproperlyConfigured:
    field_name = getattr(what, "field_name", None)
    name = f"{type(what.parent).__name__}.{field_name}" if field_name else type(what).__name__
    return ImproperlyConfigured(
        f"{name} {reason}: portal.api.bulk_render cannot render it as DRF does."
    )
