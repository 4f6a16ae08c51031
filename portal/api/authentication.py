"""Token authentication for REST and GraphQL clients: ``Authorization: Token <key>``.

The key is one of the user's personal API tokens (``accounts``); ``accounts.tokens`` finds its
user in one statement. A refused key is 401 with the reason; an address that keeps presenting
refused keys gets 429 with ``Retry-After`` (``accounts.throttle``).
"""

from rest_framework import authentication, exceptions

from accounts import throttle, tokens


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate(self, request):
        self.address = throttle.client_address(request)
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        try:
            return tokens.authenticate(key, self.address)
        except tokens.TokenRefused as refusal:
            raise exceptions.AuthenticationFailed(str(refusal)) from None
        except throttle.TooManyFailures as refusal:
            raise exceptions.Throttled(wait=refusal.retry_after, detail=refusal.message) from None
