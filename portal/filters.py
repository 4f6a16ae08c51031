"""The shared parts of every FilterSet: free text ``q``, slug filters and ``ordering``.

One FilterSet per model serves REST query parameters, page filters and GraphQL arguments, so
filtering and sorting mean the same in all three: ``?owner_team=payments&ordering=-tier`` on
a page or in REST is ``services(ownerTeam: "payments", ordering: "-tier")`` in GraphQL.
"""

import copy

import django_filters
from django import forms
from django.db.models import F, OrderBy, Q
from django_filters.constants import EMPTY_VALUES
from django_filters.fields import BaseCSVField
from django_filters.widgets import BaseCSVWidget

from .lookups import with_slug

# Free text longer than this is refused (a form error, so 400 in REST and GraphQL): every
# word of it becomes a LIKE pattern, which SQLite refuses past 50,000 characters and
# PostgreSQL matches ever more slowly.
MAX_QUERY_LENGTH = 200


class SlugFilter(django_filters.CharFilter):
    """An object named by its slug (``field_name`` ends in ``slug``), matched as every
    interface matches slugs (``portal.lookups``): regardless of case."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        qs = with_slug(qs, value, self.field_name)
        return qs.distinct() if self.distinct else qs


class _BooleanSelect(forms.Select):
    """Any, yes or no; it hands on what was sent as it is (Django's NullBooleanSelect reads
    anything it does not know as "not given")."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", "Any"), ("true", "Yes"), ("false", "No")])


class _StrictBooleanField(forms.NullBooleanField):
    """Yes, no or not given: ``?orphaned=maybe`` is refused (400) instead of read as "not
    given", which would answer every row to a question that was never asked."""

    widget = _BooleanSelect

    _MEANINGS = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in EMPTY_VALUES:
            return None
        if isinstance(value, bool):  # GraphQL's Boolean
            return value
        meaning = self._MEANINGS.get(str(value).lower())
        if meaning is None:
            raise forms.ValidationError("Give true or false.", code="invalid")
        return meaning


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = _StrictBooleanField


class HiddenCSVInput(BaseCSVWidget, forms.HiddenInput):
    """Carries a comma-separated value (the ordering) in a page's filter form."""


def _order_by(expression, *, reverse: bool) -> OrderBy:
    """``"name"``, ``"-name"``, an expression or an ordered expression, as an ``OrderBy``
    (turned round when ``reverse``)."""
    descending = False
    if isinstance(expression, str):
        descending = expression.startswith("-")
        expression = F(expression.removeprefix("-"))
    elif isinstance(expression, OrderBy):
        expression, descending = expression.expression, expression.descending
    return OrderBy(expression, descending=descending != reverse)


class OrderingField(BaseCSVField):
    """Refuses more names than there are to sort by before checking each one: a longer list
    can only repeat names, and each check scans every choice (over a second for 10,000)."""

    def __init__(self, *args, max_terms: int, **kwargs):
        self.max_terms = max_terms
        super().__init__(*args, **kwargs)

    def clean(self, value):
        if value is not None and len(value) > self.max_terms:
            raise forms.ValidationError(
                f"Order by at most {self.max_terms} names.", code="too_many_terms"
            )
        return super().clean(value)


class Ordering(django_filters.OrderingFilter):
    """``ordering``: the sort vocabulary of pages, REST and GraphQL.

    ``orders`` maps each public name to what it orders by: field paths (``"-updated_at"``
    for newest first) or expressions (``Count(...).desc()`` for most first), text through
    ``Lower`` so that names sort as people read them ("Payment Gateway" before "PSP
    Adapter"). ``-name`` reverses all of a name's parts; ``tie_breaker`` and the primary key
    always follow, so that equal rows keep one order from page to page.
    """

    base_field_class = OrderingField

    def __init__(self, orders: dict[str, tuple], *, tie_breaker: tuple[str, ...] = ("slug",), **kw):
        self.orders, self.tie_breaker = orders, tie_breaker
        kw.setdefault("label", f"Order by {', '.join(orders)} (comma-separated, - reverses)")
        super().__init__(fields=[(name, name) for name in orders], max_terms=len(orders), **kw)

    def __deepcopy__(self, memo):
        """Every FilterSet copies its filters; ``orders`` (expressions, never changed) is
        shared rather than copied, which was a large part of a list request's cost."""
        copied = copy.copy(self)
        copied.extra = copy.deepcopy(self.extra, memo)
        return copied

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        order, aliases = [], {}
        for param in value:
            for expression in self.orders[param.removeprefix("-")]:
                part = _order_by(expression, reverse=param.startswith("-"))
                if getattr(part.expression, "contains_aggregate", False):  # needs a GROUP BY
                    name = f"ordering_{len(aliases)}"
                    aliases[name], part.expression = part.expression, F(name)
                order.append(part)
        return qs.alias(**aliases).order_by(*order, *self.tie_breaker, "pk")


class _Filters(dict):
    """A FilterSet's ``base_filters``, which every instance deep-copies (a fifth of a list
    request's filtering): copied one level instead. A request changes nothing on a filter
    but its ``model`` and ``parent``, which each instance sets on its own copies, and a
    method filter is bound again to its copy (so that it finds the copy's parent)."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, original in self.items():
            copies[name] = copied = copy.copy(original)
            if original.method is not None:
                copied.method = original.method
        return copies


class _Fields(dict):
    """A filter form's ``base_fields``, copied for each form as Django copies them except
    for the choices, which the copies share: nothing changes a filter's choices once its
    form class is built, and deep-copying them was most of building the form."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, field in self.items():
            if type(field).__deepcopy__ is forms.ChoiceField.__deepcopy__:
                copies[name] = copied = forms.Field.__deepcopy__(field, memo)
                copied._choices = field._choices
            else:
                copies[name] = copy.deepcopy(field, memo)
        return copies


class SearchFilterSet(django_filters.FilterSet):
    """Adds ``q``: case-insensitive match on each of ``search_fields``."""

    @classmethod
    def get_filters(cls):
        return _Filters(super().get_filters())

    def get_form_class(self):
        """Built once per FilterSet class (django-filter builds one per request, a good part
        of a list's cost): its filters are the same in every instance."""
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
            cls._form_class.base_fields = _Fields(cls._form_class.base_fields)
        return cls._form_class

    search_fields: tuple[str, ...] = ("slug", "name", "description")

    q = django_filters.CharFilter(method="search", label="Search", max_length=MAX_QUERY_LENGTH)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)
