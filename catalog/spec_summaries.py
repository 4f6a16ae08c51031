"""Summaries of API specifications, worked out once when a version is published and stored
with it (``ApiVersion.summary``): the API page reads them instead of parsing the document on
every view, which took seconds for large specs. Each takes what ``catalog.specs`` parsed and
returns plain JSON data (lists for the page to paginate, and counts); templates escape it,
nothing is marked safe.
"""

import json

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
)

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _pretty(value) -> str:
    return json.dumps(value, indent=2, sort_keys=False, ensure_ascii=False)


def openapi_summary(document: dict) -> dict:
    operations = []
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                operations.append(
                    {
                        "method": method.upper(),
                        "path": path,
                        "summary": str(
                            operation.get("summary") or operation.get("operationId") or ""
                        ),
                    }
                )
    info = document.get("info") or {}
    schemas = (document.get("components") or {}).get("schemas") or {}
    return {
        "title": str(info.get("title", "")),
        "version": str(info.get("version", "")),
        "description": str(info.get("description", "")),
        "operations": operations,
        "counts": {
            "paths": len(document.get("paths") or {}),
            "operations": len(operations),
            "schemas": len(schemas) if isinstance(schemas, dict) else 0,
        },
    }


def _resolve(document: dict, node):
    """Follow one local ``$ref`` ("#/a/b") if ``node`` is a reference."""
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        target = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        return target if target is not None else node
    return node


def asyncapi_summary(document: dict) -> dict:
    info = document.get("info") or {}
    channels = []
    operations_by_channel: dict[str, list[str]] = {}
    for op_name, op in (document.get("operations") or {}).items():  # AsyncAPI 3
        if isinstance(op, dict):
            channel = op.get("channel", {})
            ref = channel.get("$ref", "") if isinstance(channel, dict) else ""
            key = ref.rsplit("/", 1)[-1]
            operations_by_channel.setdefault(key, []).append(f"{op.get('action', '')} ({op_name})")
    for name, channel in (document.get("channels") or {}).items():
        if not isinstance(channel, dict):
            continue
        messages = []
        for verb in ("publish", "subscribe"):  # AsyncAPI 2
            operation = channel.get(verb)
            if isinstance(operation, dict):
                operations_by_channel.setdefault(name, []).append(verb)
                message = _resolve(document, operation.get("message", {}))
                if isinstance(message, dict):
                    messages.append(
                        {
                            "name": str(message.get("name", verb)),
                            "payload": _pretty(_resolve(document, message.get("payload", {}))),
                        }
                    )
        for message_name, message in (channel.get("messages") or {}).items():
            message = _resolve(document, message)
            if isinstance(message, dict):
                messages.append(
                    {
                        "name": str(message_name),
                        "payload": _pretty(_resolve(document, message.get("payload", {}))),
                    }
                )
        channels.append(
            {
                "name": str(name),
                "address": str(channel.get("address") or name),
                "description": str(channel.get("description", "")),
                "operations": operations_by_channel.get(name, []),
                "messages": messages,
            }
        )
    servers = [
        {
            "name": str(name),
            "url": str(server.get("url") or server.get("host", "")),
            "protocol": str(server.get("protocol", "")),
        }
        for name, server in (document.get("servers") or {}).items()
        if isinstance(server, dict)
    ]
    return {
        "title": str(info.get("title", "")),
        "version": str(info.get("version", "")),
        "description": str(info.get("description", "")),
        "asyncapi": str(document.get("asyncapi", "")),
        "servers": servers,
        "channels": channels,
        "counts": {"servers": len(servers), "channels": len(channels)},
    }


def _kind(graphql_type) -> str:
    for cls, name in (
        (GraphQLObjectType, "type"),
        (GraphQLInterfaceType, "interface"),
        (GraphQLInputObjectType, "input"),
        (GraphQLEnumType, "enum"),
        (GraphQLUnionType, "union"),
    ):
        if isinstance(graphql_type, cls):
            return name
    return "scalar"


def graphql_summary(schema: GraphQLSchema) -> dict:
    roots = [t for t in (schema.query_type, schema.mutation_type, schema.subscription_type) if t]
    others = sorted(
        (t for name, t in schema.type_map.items() if not name.startswith("__") and t not in roots),
        key=lambda t: t.name,
    )
    builtin = {"String", "Int", "Float", "Boolean", "ID"}
    types = []
    for graphql_type in [*roots, *others]:
        if graphql_type.name in builtin:
            continue
        kind = _kind(graphql_type)
        members = []
        if kind in {"type", "interface", "input"}:
            for field_name, field in graphql_type.fields.items():
                args = ", ".join(
                    f"{a}: {arg.type}" for a, arg in getattr(field, "args", {}).items()
                )
                members.append(
                    {
                        "name": field_name,
                        "signature": f"{field_name}({args}): {field.type}"
                        if args
                        else f"{field_name}: {field.type}",
                        "description": field.description or "",
                    }
                )
        elif kind == "enum":
            members = [
                {"name": v, "signature": v, "description": ev.description or ""}
                for v, ev in graphql_type.values.items()
            ]
        elif kind == "union":
            members = [
                {"name": t.name, "signature": t.name, "description": ""} for t in graphql_type.types
            ]
        types.append(
            {
                "name": graphql_type.name,
                "kind": kind,
                "root": graphql_type in roots,
                "description": graphql_type.description or "",
                "members": members,
            }
        )
    return {"types": types, "counts": {"types": len(types)}}


_SUMMARIES = {
    "openapi": openapi_summary,
    "asyncapi": asyncapi_summary,
    "graphql": graphql_summary,
}


def summarise(api_type: str, parsed) -> dict:
    """The summary of a validated spec, from what validation parsed (``{}`` for protobuf)."""
    summary = _SUMMARIES.get(api_type)
    return summary(parsed) if summary and parsed is not None else {}
