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

    def paginate_rows(self, queryset, request, *columns) -> list[tuple]:
        """The page's ``columns`` of ``queryset``, counted in the same statement: each row
        carries the total (a window), so the matching rows are found once, not once to count
        and again for the page. ``page=last``, a page past the end and a DISTINCT queryset
        (whose window would count duplicates) count on their own, as DRF does."""
        self.request = request
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        number = self.get_page_number(request, paginator)
        text, rows = str(number), []
        # a plain number of a page that can exist (a longer one is past the end: 404 below)
        plain = text.isascii() and text.isdigit() and 0 < len(text) <= 9 and int(text) > 0
        if plain and not queryset.query.distinct:
            first = (int(text) - 1) * paginator.per_page
            counted = queryset.annotate(_total=Window(Count("pk"))).values_list(*columns, "_total")
            rows = list(counted[first : first + paginator.per_page])
            if rows:
                paginator.count = rows[0][-1]  # a cached property, known now
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
