"""A filtered list's page statement, compiled by the ORM once per shape and then only run.

Building and compiling the page's query (filters, ordering, the stored documents' subquery,
the window that counts) was the largest part of a list request's own work. Requests that
differ only in the values of their filters (``?owner_team=a`` and ``?owner_team=b``) send
the same SQL with other parameters, so the statement is compiled once per shape: which
filters are given, the ordering, the page and its size. It is compiled with a stand-in value
for each filter, and each parameter that holds a stand-in is where that filter's value goes;
a shape whose stand-ins do not come back as whole parameters (``q`` becomes a ``LIKE``
pattern) is not kept, and its requests go through the ORM as before. The FilterSet still
validates every request first: the vocabulary and its refusals stay the FilterSet's.
"""

from django.db import connection
from django.db.models import Count, Window
from django.db.models.sql.where import EmptyResultSet
from django_filters import ChoiceFilter, TypedChoiceFilter
from django_filters.constants import EMPTY_VALUES

from portal.filters import SlugFilter
from portal.lookups import slug_key

_STAND_IN = "keel-stand-in-{}"  # a valid slug, so that a slug filter keeps it
_KEPT = 512  # shapes a process keeps; past that it starts again
_UNKNOWN = object()
_statements: dict[tuple, tuple[str, list, list[tuple[int, str]]] | None] = {}


def _substituted(filter_) -> bool:
    """Filters whose value reaches the SQL as one parameter, whatever the value."""
    if isinstance(filter_, ChoiceFilter) and getattr(filter_, "null_label", None) is not None:
        return False
    return isinstance(filter_, SlugFilter | ChoiceFilter | TypedChoiceFilter) or (
        type(filter_).__name__ == "CharFilter" and filter_.lookup_expr in {"exact", "iexact"}
    )


def _stand_in(index: int, value):
    if isinstance(value, str):
        return _STAND_IN.format(index)
    if type(value) is int:
        return -(10**15) - index
    return None


def _compile(filterset, queryset, given: dict, build, columns, first: int, size: int):
    stand_ins, values = {}, dict(filterset.form.cleaned_data)
    for index, (name, value) in enumerate(given.items()):
        stand_in = _stand_in(index, value)
        if stand_in is None:
            return None
        stand_ins[stand_in], values[name] = name, stand_in
    cleaned = filterset.form.cleaned_data
    try:
        filterset.form.cleaned_data = values
        shaped = build(filterset.filter_queryset(queryset))
    finally:
        filterset.form.cleaned_data = cleaned
    if shaped.query.distinct:
        return None
    counted = shaped.annotate(_total=Window(Count("pk"))).values_list(*columns, "_total")
    try:
        sql, params = counted[first : first + size].query.sql_with_params()
    except EmptyResultSet:
        return None
    places, found = [], set()
    for position, param in enumerate(params):
        if isinstance(param, str | int) and param in stand_ins:
            places.append((position, stand_ins[param]))
            found.add(stand_ins[param])
        elif isinstance(param, str) and _STAND_IN.format("") in param:
            return None  # the value is worked into a parameter (a LIKE pattern)
    if found != set(given):
        return None
    return sql, list(params), places


def fetcher(filterset, queryset, build, columns):
    """A function of ``(first, size)`` that returns the page's rows of ``build(filtered
    queryset)`` (``columns`` and the total, as ``Pagination.paginate_rows`` reads them),
    or None when this request's shape cannot be run from a compiled statement."""
    if queryset.query.where:  # restricted by permission: asked through the ORM
        return None
    cleaned = filterset.form.cleaned_data
    given = {
        name: value
        for name, value in cleaned.items()
        if name != "ordering" and value not in EMPTY_VALUES
    }
    if not all(_substituted(filterset.filters[name]) for name in given):
        return None
    actual = {}
    for name, value in given.items():
        if isinstance(filterset.filters[name], SlugFilter):
            value = slug_key(value)
            if value is None:  # names nothing: the ORM answers with an empty page
                return None
        actual[name] = value
    ordering = cleaned.get("ordering")

    def fetch(first: int, size: int):
        key = (
            type(filterset),
            build,
            columns,
            tuple(given),
            tuple(ordering) if ordering else None,
            first,
            size,
            connection.alias,
        )
        statement = _statements.get(key, _UNKNOWN)  # one lookup: another thread may clear
        if statement is _UNKNOWN:
            if len(_statements) >= _KEPT:
                _statements.clear()
            statement = _compile(filterset, queryset, given, build, columns, first, size)
            _statements[key] = statement
        if statement is None:
            return None
        sql, params, places = statement
        params = list(params)
        for position, name in places:
            params[position] = actual[name]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return fetch
