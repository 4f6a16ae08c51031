"""Cached list responses, invalidated by the catalog's generation.

A rendered JSON list page is cached under its URL and the catalog generation
(``portal.audit.generation``), so a hit is never stale. A token request read the
generation with its user (``portal.api.authentication``), so its hit costs that one query.
Responses carry an ETag so tools can revalidate with ``If-None-Match`` and get 304.

The cache is shared by all users because every signed-in user may read everything
(``portal.permissions.restrict`` for "view"); if reads ever become per-user, the user must
join the key. Bulk writes (``manage.py generate_catalog``) move the generation too.
``KEEL_LIST_CACHE_SECONDS=0`` turns the cache off (benchmarks measure reads that way).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified

from .authentication import request_generation


class CachedListMixin:
    """Serves ``list`` for JSON clients from the cache, keyed by URL and generation."""

    def list(self, request, *args, **kwargs):
        renderer = request.accepted_renderer
        if renderer.format != "json":  # the browsable API renders per user
            return super().list(request, *args, **kwargs)
        key = (
            "keel:list:"
            + hashlib.sha256(
                f"{request_generation(request)}|{request.get_full_path()}".encode()
            ).hexdigest()
        )
        etag = f'"{key[-32:]}"'
        if etag in request.headers.get("If-None-Match", ""):
            return HttpResponseNotModified(headers={"ETag": etag})
        body = cache.get(key)
        if body is None:
            response = super().list(request, *args, **kwargs)
            body = renderer.render(response.data, renderer.media_type, self.get_renderer_context())
            cache.set(key, body, settings.KEEL_LIST_CACHE_SECONDS)
        return HttpResponse(body, content_type=renderer.media_type, headers={"ETag": etag})
