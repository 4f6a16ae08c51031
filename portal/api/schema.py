"""What every operation of the OpenAPI document shares, declared once (drf-spectacular
postprocessing hooks) instead of with a decorator on each view.

- Error responses: drf-spectacular documents the success responses it can see in a view; the
  errors come from shared layers (authentication, permission, the parser, lookups, the
  exception handler). A view that documents an error response itself keeps its own
  description; its body is the shared one unless the view names a schema component.
- Empty query values: query parameters are read as HTML forms send them (the same filter sets
  serve the pages), so ``?kind=`` is the same as no ``kind`` at all.
"""

_ERROR = {
    "type": "object",
    "description": "What went wrong, in a sentence.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_FIELD_ERRORS = {
    "type": "object",
    "description": (
        "Messages by field (``non_field_errors`` for the request as a whole), or ``detail`` "
        "when the body could not be read."
    ),
    "additionalProperties": {},
}
_COMPONENTS = {"Error": _ERROR, "FieldErrors": _FIELD_ERRORS}

_WRITES = {"post", "put", "patch"}
_METHODS = {"get", "post", "put", "patch", "delete"}


def _response(description: str, component: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def _errors_of(path: str, method: str, operation: dict) -> dict:
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    paginated = any(p["in"] == "query" and p["name"] == "page" for p in parameters)
    errors = {
        "401": _response("No valid credentials were sent (see WWW-Authenticate).", "Error"),
        "403": _response("The signed-in user may not do this.", "Error"),
    }
    if has_body or parameters:
        errors["400"] = _response("The request is invalid.", "FieldErrors")
    if "{" in path or paginated:
        errors["404"] = _response("No such object (or page).", "Error")
    if method in _WRITES:
        errors["409"] = _response(
            "The change conflicts with the current state (e.g. a concurrent change).",
            "FieldErrors",
        )
    if has_body:
        errors["413"] = _response("The request body is too large.", "Error")
        errors["415"] = _response("The request body is not JSON.", "Error")
    return errors


def _operations(result):
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method in _METHODS:
                yield path, method, operation


def document_errors(result, generator, request, public):
    """Add the shared error responses to every operation."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(_COMPONENTS)
    for path, method, operation in _operations(result):
        responses = operation.setdefault("responses", {})
        for code, response in _errors_of(path, method, operation).items():
            own = responses.setdefault(code, response)
            schema = own.get("content", {}).get("application/json", {}).get("schema", {})
            if "$ref" not in schema:
                own["content"] = response["content"]
    return result


def document_empty_query_values(result, generator, request, public):
    """Say that every query parameter may be sent empty (meaning: not given)."""
    for _path, _method, operation in _operations(result):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                parameter["allowEmptyValue"] = True
    return result
