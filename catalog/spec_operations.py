"""The operations of a published API version, so that search finds an API by what it does:
OpenAPI methods and paths (with operationId and summary), AsyncAPI operations on their
channels, GraphQL root fields, gRPC methods. Read from what ``catalog.specs.validate_spec``
parsed when the version was validated (no parsing of its own), once, when the version is
published (``catalog.operations``).

At most ``MAX_OPERATIONS`` are kept per version, in document order, each text cut to its
column: a document with 20,000 operations stores its first ``MAX_OPERATIONS``, and search
finds the API by those.
"""

from proto_schema_parser import ast

from .spec_summaries import HTTP_METHODS

MAX_OPERATIONS = 1_000
LIMITS = {"method": 16, "path": 500, "identifier": 200, "summary": 300}


def _operation(position: int, method: str, path: str, identifier: str, summary: str) -> dict:
    values = {"method": method, "path": path, "identifier": identifier, "summary": summary}
    cut = {key: " ".join(str(value or "").split())[: LIMITS[key]] for key, value in values.items()}
    return {"position": position, **cut}


def _openapi(document: dict):
    position = 0
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield _operation(
                    position,
                    method.upper(),
                    path,
                    operation.get("operationId"),
                    operation.get("summary") or operation.get("description"),
                )
                position += 1  # the index in the summary's operations (the page's list)


def _asyncapi(document: dict):
    """Positions are the channel's index in the summary (the page lists channels)."""
    channels = [
        (name, channel)
        for name, channel in (document.get("channels") or {}).items()
        if isinstance(channel, dict)
    ]
    where = {
        f"#/channels/{name}": (place, channel) for place, (name, channel) in enumerate(channels)
    }
    for place, (name, channel) in enumerate(channels):  # AsyncAPI 2: verbs on the channel
        for verb in ("publish", "subscribe"):
            operation = channel.get(verb)
            if isinstance(operation, dict):
                summary = operation.get("summary") or operation.get("description")
                yield _operation(place, verb, name, operation.get("operationId"), summary)
    for name, operation in (document.get("operations") or {}).items():  # AsyncAPI 3
        if not isinstance(operation, dict):
            continue
        ref = operation.get("channel")
        ref = ref.get("$ref", "") if isinstance(ref, dict) else ""
        place, channel = where.get(ref, (0, {}))
        address = channel.get("address") or ref.rsplit("/", 1)[-1]
        summary = operation.get("summary") or operation.get("description")
        yield _operation(place, operation.get("action"), address, name, summary)


def _graphql(schema):
    for method, root in (
        ("query", schema.query_type),
        ("mutation", schema.mutation_type),
        ("subscription", schema.subscription_type),
    ):
        for field_name, field in root.fields.items() if root else ():
            yield _operation(0, method, root.name, field_name, field.description)


def _grpc(parsed: ast.File):
    package = next((e.name for e in parsed.file_elements if isinstance(e, ast.Package)), "")
    for element in parsed.file_elements:
        if isinstance(element, ast.Service):
            service = f"{package}.{element.name}" if package else element.name
            for method in element.elements:
                if isinstance(method, ast.Method):
                    yield _operation(0, "rpc", f"/{service}/{method.name}", method.name, "")


_EXTRACTORS = {"openapi": _openapi, "asyncapi": _asyncapi, "graphql": _graphql, "grpc": _grpc}


def extract(api_type: str, parsed) -> list[dict]:
    """The first ``MAX_OPERATIONS`` operations of a validated spec, as column values."""
    extractor = _EXTRACTORS.get(api_type)
    if extractor is None or parsed is None:
        return []
    found = []
    for operation in extractor(parsed):
        if len(found) == MAX_OPERATIONS:
            break
        found.append(operation)
    return found
