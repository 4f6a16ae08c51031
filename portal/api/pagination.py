"""Page-number pagination with a hard ceiling: a huge ``page_size`` is capped, never an error."""

from django.conf import settings
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = settings.KEEL_API_MAX_PAGE_SIZE
