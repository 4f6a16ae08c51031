"""The OpenAPI document as /api/v1/schema/ serves it, for tests that walk every operation."""

import json
from functools import cache

from django.test import RequestFactory
from drf_spectacular.views import SpectacularAPIView


@cache
def served_document() -> dict:
    """The schema view's own answer, without the sign-in it asks for (tests collect it before
    any database exists)."""
    view = SpectacularAPIView.as_view(permission_classes=[])
    response = view(RequestFactory().get("/api/v1/schema/", {"format": "json"}))
    response.render()
    return json.loads(response.content)


def operations(document: dict):
    """``(METHOD, path, operation)`` for every operation in the document."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method.upper(), path, operation
