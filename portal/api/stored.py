"""Responses whose JSON body was rendered before the request (``catalog.documents``): sent
as it is. ``ConditionalGetMiddleware`` gives them, like every response, an ETag computed from
the body, so ``If-None-Match`` gets a 304 only when the data served would be the same."""

import json

from django.http import HttpResponse
from rest_framework.response import Response


def respond(request, body: str):
    """``body`` to a JSON client; the browsable API renders it like any other response."""
    if request.accepted_renderer.format != "json":
        return Response(json.loads(body))
    return HttpResponse(body, content_type="application/json")
