"""GraphQL over HTTP for browsers (session with CSRF) and for tools (API token, no CSRF).

Anonymous requests get 401 and no data; a browser asking for GraphiQL is sent to sign in.
GraphiQL's scripts are served from pinned local copies (``graphiql/``), so the page works on
a network without internet access. GraphiQL (``KEEL_GRAPHIQL``) and introspection
(``KEEL_GRAPHQL_INTROSPECTION``) are on in development and off in production; tools read the
committed schema at ``/graphql/schema.graphql`` instead.

A request runs in steps, each cheap enough to refuse abuse before the next costs anything:
bounded parse and limits (``limits``), validation (both kept per document text, see
``documents``), execution (``execution``).

HTTP status, the convention of GraphQL over HTTP for ``application/graphql-response+json``
(graphene-django's too), whichever type the client accepts:
- 400 with ``errors`` and no ``data``: the request could not run (not JSON, syntax, a limit,
  validation, introspection refused, unknown operation);
- 200 with ``data`` and ``errors`` carrying a ``path``: it ran and some fields failed. A refused
  permission, a validation error or a missing object says why; any other exception is logged
  and reported as "Internal error; it has been logged.", never with its own message;
- 401 without credentials or with a bad token, 429 with ``Retry-After`` after repeated bad
  tokens from one address, 403 on a failed CSRF check or for a mutation sent with a read-only
  token, 405 for a mutation sent by GET.
"""

import hashlib
import json
import logging
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.middleware.csrf import CsrfViewMiddleware
from django.template import engines
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_safe
from graphene.utils.str_converters import to_camel_case
from graphene_django.utils.utils import set_rollback
from graphene_django.views import GraphQLView, HttpError
from graphql import (
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
)
from rest_framework.exceptions import AuthenticationFailed, Throttled

from accounts import scopes
from portal.api.authentication import TokenAuthentication

from . import documents, limits
from .execution import KeelExecutionContext

logger = logging.getLogger(__name__)

GRAPHIQL_DIR = Path(__file__).resolve().parent / "graphiql"
GRAPHIQL_ASSETS = {
    path.name: path for path in GRAPHIQL_DIR.iterdir() if path.suffix in {".js", ".css"}
}
_GRAPHIQL_PAGE = engines["django"].from_string((GRAPHIQL_DIR / "graphiql.html").read_text())
SCHEMA_FILE = Path(settings.BASE_DIR) / "schema.graphql"
INTERNAL_ERROR = "Internal error; it has been logged."


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


def _refusal(request) -> HttpResponse | None:
    """Why the request may not go on (as the response to send), or None once it is signed in:
    by token (no CSRF, as for REST clients) or by session (CSRF checked)."""
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
        if request.method == "GET" and GraphQLView.request_wants_html(request):
            return redirect_to_login(request.get_full_path())
        return _refuse("Sign in first.", 401)
    return None


@method_decorator(csrf_exempt, name="dispatch")
class KeelGraphQLView(GraphQLView):
    execution_context_class = KeelExecutionContext

    def dispatch(self, request, *args, **kwargs):
        if refusal := _refusal(request):
            return refusal
        return super().dispatch(request, *args, **kwargs)

    @classmethod
    def can_display_graphiql(cls, request, data):
        return settings.KEEL_GRAPHIQL and super().can_display_graphiql(request, data)

    def parse_body(self, request):
        try:
            return super().parse_body(request)
        except RecursionError:  # json.loads recurses once per level
            raise HttpError(HttpResponseBadRequest("The request body nests too deeply.")) from None

    def render_graphiql(self, request, **data):
        return HttpResponse(_GRAPHIQL_PAGE.render(data, request))

    def get_response(self, request, data, show_graphiql=False):
        """Parse within bounds, check the limits, validate and execute (a document's parse
        and validation are kept per text, see ``documents``)."""
        query, variables, operation_name, _ = self.get_graphql_params(request, data)
        if not query or not isinstance(query, str):
            hint = "" if settings.KEEL_GRAPHIQL else " The schema is at /graphql/schema.graphql."
            raise HttpError(HttpResponseBadRequest("Must provide query string." + hint))
        if variables is not None and not isinstance(variables, dict):
            raise HttpError(HttpResponseBadRequest("Variables must be a JSON object."))
        schema = self.schema.graphql_schema
        try:
            document = documents.parse(query)
        except GraphQLError as error:
            return self.encode(request, ExecutionResult(errors=[error]))
        if errors := limits.check(schema, document, variables):
            return self.encode(request, ExecutionResult(errors=errors))
        operation = get_operation_ast(document, operation_name)
        if request.method == "GET" and operation and operation.operation != OperationType.QUERY:
            raise HttpError(
                HttpResponseNotAllowed(
                    ["POST"],
                    f"Can only perform a {operation.operation.value} operation from a POST request.",
                )
            )
        if scopes.read_only(request) and scopes.graphql_writes(document):
            raise HttpError(HttpResponseForbidden(scopes.READ_ONLY_MESSAGE))
        if errors := documents.validation_errors(schema, query):
            return self.encode(request, ExecutionResult(errors=list(errors)))
        result = execute(
            schema,
            document,
            root_value=self.get_root_value(request),
            context_value=self.get_context(request),
            variable_values=variables,
            operation_name=operation_name,
            middleware=self.get_middleware(request),
            execution_context_class=self.execution_context_class,
        )
        return self.encode(request, result)

    def encode(self, request, result: ExecutionResult) -> tuple[str, int]:
        """The response body and status: 400 without data when an error concerns the whole
        request (it has no path), else 200 with the data and any field errors."""
        response = {}
        status = 200
        if result.errors:
            set_rollback()
            response["errors"] = [self.format_error(error) for error in result.errors]
            if any(not getattr(error, "path", None) for error in result.errors):
                status = 400
        if status == 200:
            response["data"] = result.data
        return self.json_encode(request, response), status

    @staticmethod
    def format_error(error):
        """Expected refusals speak; anything else is logged and masked (see the module)."""
        if not isinstance(error, GraphQLError):  # graphene-django's own HTTP refusals
            return GraphQLView.format_error(error)
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            return error.formatted
        if isinstance(original, ValidationError):
            message = _describe(original)
        elif isinstance(original, PermissionDenied):
            message = str(original) or "You may not do this."
        elif isinstance(original, ObjectDoesNotExist | Http404):
            message = str(original) or "Not found."
        else:
            path = ".".join(map(str, error.path or ()))
            logger.error("GraphQL resolver failed at %s", path, exc_info=original)
            message = INTERNAL_ERROR
        return GraphQLError(message, error.nodes, path=error.path).formatted


def _describe(error: ValidationError) -> str:
    """Django's validation messages, each prefixed with the argument it concerns.

    graphene-django's filter fields raise the form's errors as one JSON message
    (``form.errors.as_json()``); those are read back so that they read like the others.
    """
    if not hasattr(error, "error_dict") and len(error.messages) == 1:
        try:
            by_field = json.loads(error.messages[0])
            error = ValidationError(
                {name: [e["message"] for e in errors] for name, errors in by_field.items()}
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            pass
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    return " ".join(
        " ".join(messages)
        if name == NON_FIELD_ERRORS
        else f"{to_camel_case(name)}: {' '.join(messages)}"
        for name, messages in error.message_dict.items()
    )


@require_GET
@cache_control(max_age=365 * 24 * 3600, immutable=True, public=True)
def graphiql_asset(request, name: str):
    """One of the pinned GraphiQL files; they change only with graphene-django's pins."""
    if not settings.KEEL_GRAPHIQL or name not in GRAPHIQL_ASSETS:
        raise Http404("No such GraphiQL asset.")
    return FileResponse(GRAPHIQL_ASSETS[name].open("rb"))


@cache
def _schema_document() -> tuple[bytes, str]:
    text = SCHEMA_FILE.read_bytes()
    return text, '"' + hashlib.sha256(text).hexdigest()[:32] + '"'


@require_safe
def schema_document(request):
    """The committed schema (SDL), for code generators and linters when introspection is off.

    It is the same document a test compares with the live schema. Signed-in users only, like
    ``/graphql/`` itself: turning introspection off would mean little if anyone could read
    the schema. The ETag lets tools revalidate cheaply.
    """
    if refusal := _refusal(request):
        return refusal
    text, etag = _schema_document()
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    return get_conditional_response(request, etag=etag, response=response)
