"""Lets a client ask for ``text/plain`` (a raw specification) without a 406."""

import json

from rest_framework.renderers import BaseRenderer


class PlainTextRenderer(BaseRenderer):
    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        """Text as it is; anything else (an error) as JSON, labelled as JSON: error bodies
        under /api/ are JSON whatever the client accepts."""
        if isinstance(data, str):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data)
