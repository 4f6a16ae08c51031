"""Root-field helpers shared by every app's queries."""

import graphene
from django.db.models import QuerySet
from django_filters import ChoiceFilter, OrderingFilter, TypedChoiceFilter
from graphene_django.filter import DjangoFilterConnectionField
from graphene_django.filter.utils import get_field_type
from graphene_django.settings import graphene_settings
from graphql_relay import get_offset_with_default

from portal.lookups import with_slug
from portal.permissions import restrict

from .selection import columns, subfields


def one_by_slug(info, model_or_queryset, slug: str):
    """The object with ``slug`` (matched as everywhere, ignoring case) that the user may
    see, or None."""
    queryset = getattr(model_or_queryset, "_default_manager", model_or_queryset)
    return with_slug(restrict(queryset.all(), info.context.user), slug).first()


class FilteredConnectionField(DjangoFilterConnectionField):
    """A connection filtered and ordered by the model's FilterSet, as REST and pages are.

    graphene-django types a declared choice filter as a String; here it takes the type the
    field is output as (``lifecycle: PRODUCTION`` in, ``PRODUCTION`` out), so a filter value
    the output could never show is refused before anything runs. ``ordering`` stays the
    comma-separated text of REST and pages (``"-tier,name"``).

    The page reads only the columns its nodes select (``selection``), as the loaders do. The
    matching rows are counted only when the query needs their number (``totalCount``, or
    paging backwards with ``last`` or ``before``): counting reads every matching row, so a
    first page would otherwise cost in proportion to the catalog. Without it, the page is read
    with one row more than asked for, which is enough for ``hasNextPage``.
    """

    @classmethod
    def resolve_queryset(cls, connection, iterable, info, args, **kwargs):
        queryset = super().resolve_queryset(connection, iterable, info, args, **kwargs)
        if not isinstance(queryset, QuerySet):
            return queryset
        selected = subfields(info, info.field_nodes)
        node_type = info.schema.get_type(connection._meta.node._meta.name)
        nodes = subfields(info, selected.get("edges", [])).get("node", [])
        queryset = queryset.only(*columns(info, queryset.model, node_type, nodes))
        if "totalCount" in selected or args.get("last") is not None or args.get("before"):
            return queryset
        return _Uncounted(queryset, args)

    @property
    def filtering_args(self):
        if not self._filtering_args:
            args = super().filtering_args
            registry = self.node_type._meta.registry
            for name, filter_ in self.filterset_class.base_filters.items():
                if isinstance(filter_, OrderingFilter) or not isinstance(
                    filter_, ChoiceFilter | TypedChoiceFilter
                ):
                    continue
                output = get_field_type(registry, self.model, filter_.field_name)
                if output is not None:
                    typed = graphene.Argument(output, description=args[name].description)
                    typed.creation_counter = args[name].creation_counter  # keep its place
                    args[name] = typed
        return self._filtering_args


class _Uncounted:
    """A queryset in the place graphene-django takes a list (see ``FilteredConnectionField``):
    its length is where the requested page ends, if rows remain after it, plus one.

    graphene-django asks for the length once it has turned ``offset`` into ``after`` (the
    same ``args``), slices from the start of the page, then lets graphql-relay cut the page
    out of that slice; the page is read on the first of those steps.
    """

    def __init__(self, queryset: QuerySet, args: dict):
        self.queryset, self.args = queryset, args
        self.start, self.rows = 0, None

    def _read(self) -> list:
        if self.rows is None:
            self.start = get_offset_with_default(self.args.get("after"), -1) + 1
            size = self.args.get("first")
            size = graphene_settings.RELAY_CONNECTION_MAX_LIMIT if size is None else size
            self.rows = list(self.queryset[self.start : self.start + size + 1])
        return self.rows

    def __len__(self) -> int:
        rows = self._read()
        return self.start + len(rows)

    def __getitem__(self, index):
        rows = self._read()
        if isinstance(index, slice) and index.start == self.start and index.stop is None:
            return rows
        return self.queryset[index]
