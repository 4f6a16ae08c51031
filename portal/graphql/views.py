"""GraphQL over HTTP for browsers (session with CSRF) and for tools (API token, no CSRF).

Anonymous requests get 401 and no data; a browser asking for GraphiQL is sent to sign in.
GraphiQL's scripts are served from pinned local copies (``graphiql/``), so the page works on
a network without internet access.
"""

import logging
from pathlib import Path

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    JsonResponse,
)
from django.middleware.csrf import CsrfViewMiddleware
from django.template import engines
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from graphene_django.views import GraphQLView, HttpError
from graphql import ExecutionContext, GraphQLError
from rest_framework.exceptions import AuthenticationFailed, Throttled

from accounts import scopes
from portal.api.authentication import TokenAuthentication

from . import caching
from .limits import MAX_DOCUMENT_CHARS

logger = logging.getLogger(__name__)

GRAPHIQL_DIR = Path(__file__).resolve().parent / "graphiql"
GRAPHIQL_ASSETS = {
    path.name: path for path in GRAPHIQL_DIR.iterdir() if path.suffix in {".js", ".css"}
}
_GRAPHIQL_PAGE = engines["django"].from_string((GRAPHIQL_DIR / "graphiql.html").read_text())

# Errors whose message is meant for the client; anything else is logged and masked.
_SPEAKING_ERRORS = (GraphQLError, PermissionDenied, ValidationError, AssertionError, ValueError)


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


def _csrf_failure(request) -> str | None:
    """Django's CSRF check, run by hand because token requests are exempt from it."""
    check = _CsrfCheck(lambda request: None)
    check.process_request(request)
    return check.process_view(request, None, (), {})


def _refuse(message: str, status: int, retry_after: int | None = None) -> JsonResponse:
    response = JsonResponse({"errors": [{"message": message}]}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Token realm="graphql"'
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


class SynchronousExecutionContext(ExecutionContext):
    """Every resolver here returns its value (loaders batch synchronously, see
    ``loaders``), so graphql-core need not test each of the thousands of values in a
    response for being awaitable."""

    is_awaitable = staticmethod(lambda value: False)


@method_decorator(csrf_exempt, name="dispatch")
class KeelGraphQLView(GraphQLView):
    execution_context_class = SynchronousExecutionContext

    def dispatch(self, request, *args, **kwargs):
        try:
            token = TokenAuthentication().authenticate(request)
        except AuthenticationFailed as error:
            return _refuse(str(error.detail), 401)
        except Throttled as error:
            return _refuse(str(error.detail), 429, error.wait)
        if token:
            request.user, request.auth = token
        elif reason := _csrf_failure(request):
            return _refuse(f"CSRF check failed: {reason}", 403)
        if not (request.user.is_authenticated and request.user.is_active):
            if request.method == "GET" and self.request_wants_html(request):
                return redirect_to_login(request.get_full_path())
            return _refuse("Sign in first.", 401)
        return super().dispatch(request, *args, **kwargs)

    def render_graphiql(self, request, **data):
        return HttpResponse(_GRAPHIQL_PAGE.render(data, request))

    def get_response(self, request, data, show_graphiql=False):
        """Catalog queries are answered from the cache when the catalog has not changed
        since (see ``caching``); only complete, error-free results are kept."""
        if show_graphiql:
            return super().get_response(request, data, show_graphiql)
        query, variables, operation_name, _ = self.get_graphql_params(request, data)
        key = caching.cache_key(request, query, variables, operation_name)
        if (cached := caching.get(key)) is not None:
            return cached, 200
        result, status = super().get_response(request, data, show_graphiql)
        if status == 200 and request.__dict__.get("_graphql_clean_result"):
            caching.put(key, result)
        return result, status

    def execute_graphql_request(self, request, data, query, *args, **kwargs):
        if query and len(query) > MAX_DOCUMENT_CHARS:
            raise HttpError(
                HttpResponseBadRequest(
                    f"The query document is longer than {MAX_DOCUMENT_CHARS:,} characters."
                )
            )
        if query and scopes.read_only(request) and scopes.graphql_writes(query):
            raise HttpError(HttpResponseForbidden(scopes.READ_ONLY_MESSAGE))
        result = super().execute_graphql_request(request, data, query, *args, **kwargs)
        request._graphql_clean_result = bool(result and not result.errors)
        return result

    @staticmethod
    def format_error(error):
        original = getattr(error, "original_error", None)
        if original is not None and not isinstance(original, _SPEAKING_ERRORS):
            logger.error("GraphQL resolver failed", exc_info=original)
            error = GraphQLError("Internal error; it has been logged.", path=error.path)
        return GraphQLView.format_error(error)


@require_GET
@cache_control(max_age=365 * 24 * 3600, immutable=True, public=True)
def graphiql_asset(request, name: str):
    """One of the pinned GraphiQL files; they change only with graphene-django's pins."""
    if name not in GRAPHIQL_ASSETS:
        raise Http404("No such GraphiQL asset.")
    return FileResponse(GRAPHIQL_ASSETS[name].open("rb"))
