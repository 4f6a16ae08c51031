"""Every page needs a signed-in user, except the few paths listed here; every request has an id.

REST and GraphQL are left to their own authentication (sessions or tokens) and answer 401/403
as JSON instead of redirecting to the login page.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login

from . import request_id

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
