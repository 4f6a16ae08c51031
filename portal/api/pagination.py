"""Page-number pagination with a hard ceiling: a huge ``page_size`` is capped, never an error;
one that is not a whole number of at least 1 is a 400 (DRF quietly used the default). An
empty one is no value, as for every query parameter (``portal.api.schema``)."""

import json

from django.conf import settings
from django.core.paginator import InvalidPage
from django.db.models import Count, Window
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = settings.KEEL_API_MAX_PAGE_SIZE

    def paginate_rows(self, queryset, request, *columns, fetch=None) -> list[tuple]:
        """The page's ``columns`` of ``queryset``, counted in the same statement: each row
        carries the total (a window), so the matching rows are found once, not once to count
        and again for the page. ``page=last``, a page past the end and a DISTINCT queryset
        (whose window would count duplicates) count on their own, as DRF does.

        ``fetch`` (``portal.api.statements``) reads the same rows from a compiled statement,
        or says None; ``queryset`` may then be a function that builds the queryset, called
        only when the statement does not answer with a page (building it was a good part of
        a list request's work)."""
        self.request = request
        size = self.get_page_size(request)
        text = str(request.query_params.get(self.page_query_param) or 1)
        # a plain number of a page that can exist (a longer one is past the end: 404 below)
        plain = text.isascii() and text.isdigit() and 0 < len(text) <= 9 and int(text) > 0
        first = (int(text) - 1) * size if plain else 0
        rows = fetch(first, size) if fetch is not None and plain else None
        if rows:
            paginator = self.django_paginator_class([], size)
            paginator.count = rows[0][-1]  # a cached property, known now
            return self._page(paginator, int(text), rows)
        if callable(queryset):
            queryset = queryset()
        paginator = self.django_paginator_class(queryset, size)
        number = self.get_page_number(request, paginator)
        if rows is None and plain and not queryset.query.distinct:
            counted = queryset.annotate(_total=Window(Count("pk")))
            rows = list(counted.values_list(*columns, "_total")[first : first + size])
            if rows:
                paginator.count = rows[0][-1]
        return self._page(paginator, number, rows or [], queryset, columns)

    def _page(self, paginator, number, rows, queryset=None, columns=()) -> list[tuple]:
        try:
            self.page = paginator.page(number)
        except InvalidPage as error:
            raise NotFound(self.invalid_page_message.format(page_number=number)) from error
        if rows:
            return [row[:-1] for row in rows]
        return list(self.page.object_list.values_list(*columns))

    def paginated_json(self, items: list[str]) -> str:
        """The page's JSON, as ``get_paginated_response`` shapes it, around ``items`` that
        are JSON already."""
        links = json.dumps(self.get_next_link()), json.dumps(self.get_previous_link())
        return (
            f'{{"count":{self.page.paginator.count},"next":{links[0]},'
            f'"previous":{links[1]},"results":[{",".join(items)}]}}'
        )

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw and not (raw.isascii() and raw.isdigit() and raw.strip("0")):
            raise ValidationError(
                {self.page_size_query_param: ["Give a whole number of at least 1."]}
            )
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters
