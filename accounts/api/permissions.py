from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.scopes import READ_ONLY_MESSAGE, read_only
from accounts.tokens import TokenCredentials


class TokenScope(BasePermission):
    """Read-only tokens read (one of the default permission classes of every endpoint)."""

    message = READ_ONLY_MESSAGE

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or not read_only(request)


class SessionForTokenChanges(BasePermission):
    """Tokens are created and revoked from a signed-in session (the tokens page, or the API
    with a session): a leaked token cannot mint itself a successor that outlives its
    revocation."""

    message = "Create and revoke tokens from a signed-in session, not with a token."

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or not isinstance(request.auth, TokenCredentials)
