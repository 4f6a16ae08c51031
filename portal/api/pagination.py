"""Page-number pagination with a hard ceiling: a huge ``page_size`` is capped, never an error;
one that is not a whole number of at least 1 is a 400 (DRF quietly used the default). An
empty one is no value, as for every query parameter (``portal.api.schema``)."""

import json

from django.conf import settings
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = settings.KEEL_API_MAX_PAGE_SIZE

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
