"""Lets a client ask for ``text/plain`` (a raw specification) without a 406."""

import json

from rest_framework.renderers import BaseRenderer


class PlainTextRenderer(BaseRenderer):
    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        """Text as it is; anything else (an error) as JSON text."""
        return data if isinstance(data, str) else json.dumps(data)
