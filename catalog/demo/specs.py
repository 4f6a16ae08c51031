"""Specification texts for demo APIs, one builder per API type.

OpenAPI documents reuse ``catalog.factories.openapi_document`` (the one the tests use) for each
resource and merge them, so every demo document is the same well-tested shape, just wider.
"""

import json

from catalog.factories import openapi_document
from catalog.models import Api

Fields = dict[str, str]  # field name -> JSON Schema type


def _schema_name(resource: str) -> str:
    return "".join(part.title() for part in resource.split("-"))


def openapi_spec(title: str, version: str, resources: dict[str, Fields]) -> str:
    """An OpenAPI 3.1 document with list/create/get operations for each resource."""
    document: dict = {}
    for resource, fields in resources.items():
        name = _schema_name(resource)
        text = openapi_document(title, version, resource)
        part = json.loads(text.replace("#/components/schemas/Item", f"#/components/schemas/{name}"))
        schema = part["components"]["schemas"].pop("Item")
        schema["properties"].update({field: {"type": kind} for field, kind in fields.items()})
        if not document:
            document = part
        else:
            document["paths"].update(part["paths"])
        document["components"]["schemas"][name] = schema
    return json.dumps(document, indent=2)


def asyncapi_spec(title: str, version: str, channels: dict[str, Fields]) -> str:
    """An AsyncAPI 3.0 document: one channel per address, each with the event the provider sends."""
    document: dict = {
        "asyncapi": "3.0.0",
        "info": {"title": title, "version": version},
        "channels": {},
        "operations": {},
    }
    for address, fields in channels.items():
        name = _schema_name(address.replace(".", "-"))
        payload = {
            "type": "object",
            "required": ["id", "occurred_at"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "occurred_at": {"type": "string", "format": "date-time"},
                **{field: {"type": kind} for field, kind in fields.items()},
            },
        }
        document["channels"][name] = {"address": address, "messages": {name: {"payload": payload}}}
        document["operations"][f"send{name}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{name}"},
            "messages": [{"$ref": f"#/channels/{name}/messages/{name}"}],
        }
    return json.dumps(document, indent=2)


def versions(api_type: str, title: str, payload) -> list[tuple[str, str]]:
    """The versions to publish: OpenAPI and AsyncAPI contracts grow one resource or channel per
    minor version, so the demo shows APIs with a history; SDL and protobuf text is published as is.
    """
    if api_type in (Api.Type.GRAPHQL, Api.Type.GRPC):
        return [("1.0.0", payload)]
    build = openapi_spec if api_type == Api.Type.OPENAPI else asyncapi_spec
    names = list(payload)
    return [
        (f"1.{minor}.0", build(title, f"1.{minor}.0", {n: payload[n] for n in names[: minor + 1]}))
        for minor in range(len(names))
    ]
