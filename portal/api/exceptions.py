"""Every error under /api/ is a JSON body with a message and the status that names it.

Actions raise Django's ``ValidationError`` (400, with field errors; 409 when the write lost a
race with a concurrent one, code ``conflict``) and ``PermissionDenied`` (403, with the sentence
saying who may do this instead). A value the database refuses to compare or store (a NUL
character in a URL, a number out of range) is bad input, so a 400, whichever path reached the
query. Django's own 404 and 500 pages answer /api/ paths in JSON too (``portal/urls.py``).
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

API_PREFIX = "/api/"
CONFLICT = "conflict"


def validation_error_data(error: DjangoValidationError) -> dict:
    """Django's error shape as DRF's: ``{"field": [...], "non_field_errors": [...]}``."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def _status_of(error: DjangoValidationError) -> int:
    codes = {e.code for e in error.error_list} if hasattr(error, "error_list") else set()
    return status.HTTP_409_CONFLICT if codes == {CONFLICT} else status.HTTP_400_BAD_REQUEST


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        return Response(validation_error_data(exc), status=_status_of(exc))
    if isinstance(exc, DataError):
        set_rollback()
        return Response(
            {"detail": "The request holds a value the database cannot store or compare."},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


def _api_error(request, status_code: int, detail: str):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": detail}, status=status_code)
    return None


def bad_request(request, exception):
    """Django's 400 (a disallowed host, a request past Django's own size limits)."""
    return _api_error(request, 400, "Bad request.") or defaults.bad_request(request, exception)


def not_found(request, exception):
    """Django's 404: a URL no route matches, or a view's ``Http404``. Only a view's own sentence
    is shown: a resolver's carries the URL patterns tried."""
    said = getattr(exception, "args", None)
    if not (said and isinstance(said[0], str)):
        exception = Http404("There is nothing at this address.")
    return _api_error(request, 404, "Not found.") or defaults.page_not_found(request, exception)


def server_error(request):
    """Django's 500 (an unhandled exception); the traceback is logged, never shown. The page
    is rendered without a request context (nothing that could fail again), with the request's
    id to quote."""
    return _api_error(request, 500, "Internal server error; it has been logged.") or (
        HttpResponseServerError(
            loader.render_to_string("500.html", {"request_id": getattr(request, "id", "")})
        )
    )
