"""Specifications made readable for people on the API page.

The page shows the summary stored with the version (``catalog.spec_summaries``), one page of
its main list at a time, so its cost does not grow with the document: OpenAPI operations,
AsyncAPI channels, GraphQL types. OpenAPI also gets Swagger UI in the browser, started at once
for small documents and on request for large ones (it renders every operation).
"""

from django.conf import settings
from django.core.paginator import Paginator

from .models import Api

# The list each summary is paged by.
LISTED = {
    Api.Type.OPENAPI: "operations",
    Api.Type.ASYNCAPI: "channels",
    Api.Type.GRAPHQL: "types",
}


def listing(api_type: str, summary: dict, page_number):
    """One page of the summary's main list (the last page for a number past the end)."""
    items = summary.get(LISTED.get(api_type, ""), [])
    return Paginator(items, settings.KEEL_SPEC_PAGE_SIZE).get_page(page_number)


def viewer_starts_at_once(summary: dict) -> bool:
    """Swagger UI renders every operation: large documents wait for the reader to ask."""
    operations = summary.get("counts", {}).get("operations", 0)
    return operations <= settings.KEEL_SPEC_VIEWER_AUTOSTART_OPERATIONS


def text_inline(spec_chars: int) -> bool:
    """Small specs are also shown as text on the page; large ones only behind the raw link."""
    return spec_chars <= settings.KEEL_SPEC_INLINE_CHARS


def media_type(api_type: str, text: str) -> tuple[str, str]:
    """The content type and file extension for downloading a specification."""
    if api_type == Api.Type.GRAPHQL:
        return "text/plain; charset=utf-8", "graphql"
    if api_type == Api.Type.GRPC:
        return "text/plain; charset=utf-8", "proto"
    if text.lstrip().startswith("{"):
        return "application/json; charset=utf-8", "json"
    return "application/yaml; charset=utf-8", "yaml"
