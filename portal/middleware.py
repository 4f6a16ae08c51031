"""Every page needs a signed-in user, except the few paths listed here; every request has an id.

REST and GraphQL are left to their own authentication (sessions or tokens) and answer 401/403
as JSON instead of redirecting to the login page.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import Http404
from django.utils.log import log_response
from django.views import defaults

from . import request_id
from .api import exceptions

PUBLIC_PREFIXES = (
    "/accounts/login/",
    "/healthz",
    "/readyz",
    "/static/",
    "/api/",
    "/graphql",
    "/git/",
    "/hooks/",  # webhooks: signed with a secret instead (descriptors.webhooks)
)


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


class RequestIdMiddleware:
    """Give every request an id (the client's ``X-Request-ID`` when it is plain and short):
    bound for the request's log lines and ChangeRecords, and sent back in the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = request_id.accepted(request.headers.get("X-Request-ID"))
        with request_id.bound(request.id):
            response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


class ErrorPagesMiddleware:
    """The portal's own 403, 404 and 500 pages under ``DEBUG`` too (``make run``), where Django
    would show its technical pages: a newcomer trying the demo should meet the product, not a
    traceback. The traceback still goes to the log. Off ``DEBUG`` Django already calls the
    handlers in ``portal/urls.py``, so this does nothing there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # A URL no route matches never reaches a view (so never process_exception below).
        technical = response.status_code == 404 and not getattr(response, "styled", False)
        if settings.DEBUG and technical and "text/html" in response.get("Content-Type", ""):
            return _styled(exceptions.not_found(request, None))
        return response

    def process_exception(self, request, exception):
        if not settings.DEBUG:
            return None
        if isinstance(exception, Http404):
            return _styled(exceptions.not_found(request, exception))
        if isinstance(exception, PermissionDenied):
            response = defaults.permission_denied(request, exception)
            # The line Django writes for it, without a traceback (a refusal is no fault).
            log_response(
                "Forbidden (Permission denied): %s",
                request.path,
                response=response,
                request=request,
                exception=exception,
            )
            return response
        if isinstance(exception, (BadRequest, SuspiciousOperation)):
            return None  # Django answers these with 400 whatever DEBUG says
        # As Django's own handler does: the test client re-raises it; the log keeps the trace.
        got_request_exception.send(sender=None, request=request)
        response = exceptions.server_error(request)
        log_response(
            "Internal Server Error: %s",
            request.path,
            response=response,
            request=request,
            exception=exception,
        )
        return response


def _styled(response):
    response.styled = True
    return response
