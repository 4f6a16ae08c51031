"""django-csp's middleware, with the policy built once per process.

django-csp builds the header from the settings for every response (a tenth of a cached
read's cost). A response that changes nothing about it (no per-view override, no nonce used,
not exempt) gets the same header every time, so that one is built once; anything else goes
through django-csp unchanged.
"""

from dataclasses import asdict
from functools import cache

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings

_OVERRIDES = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt")
_OVERRIDES_RO = ("_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")


@cache
def _policy() -> str:
    return build_policy(**asdict(PolicyParts()))


class BuiltOnceCSPMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        plain = (
            not settings.DEBUG
            and not getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            and not (settings.CONTENT_SECURITY_POLICY or {}).get("EXCLUDE_URL_PREFIXES")
            and getattr(request, "_csp_nonce", None) is None
            and not any(hasattr(response, name) for name in (*_OVERRIDES, *_OVERRIDES_RO))
        )
        if not plain:
            return super().process_response(request, response)
        if HEADER not in response:
            response[HEADER] = _policy()
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
