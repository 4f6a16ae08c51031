"""The shared base of every FilterSet: a free-text ``q`` filter.

One FilterSet per model serves REST query parameters, page filters and GraphQL arguments.
"""

import django_filters
from django.db.models import Q


class SearchFilterSet(django_filters.FilterSet):
    """Adds ``q``: case-insensitive match on each of ``search_fields``."""

    search_fields: tuple[str, ...] = ("slug", "name", "description")

    q = django_filters.CharFilter(method="search", label="Search")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)
