"""How long comparing two versions of the largest AsyncAPI, GraphQL and protobuf specification
the caps allow takes (OpenAPI's: ``benchmarks/contract_diff.py``).

For each API type, a base document just under ``KEEL_SPEC_MAX_BYTES`` (and for GraphQL
``KEEL_SPEC_MAX_GRAPHQL_TOKENS``) in the shape that costs the most per byte, and a revision of
the same size that changes every item (so the rules report one change per item, the most
they do for such a pair). Times ``contracts.diffing.compare`` on the two texts (both parsed and
validated, then compared) and the rules alone on the parsed documents. GraphQL uses the
document of ``benchmarks/specs.py``; AsyncAPI 3 has one channel, operation and message per
item; protobuf one small message per item. Prints one JSON document; figures are
printed, never asserted.

    .venv/bin/python benchmarks/contract_diff_speed.py
    .venv/bin/python benchmarks/contract_diff_speed.py --kind grpc
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.specs import graphql_document  # noqa: E402


def _fill(head: str, item: str, tail: str, max_bytes: int, separator: str = "") -> tuple:
    """``head`` and as many numbered ``item``s as fit before ``tail`` in ``max_bytes``."""
    parts, size, count = [], len(head) + len(tail), 0
    while True:
        part = (separator if parts else "") + item.replace("%d", str(count))
        if size + len(part) > max_bytes:
            break
        parts.append(part)
        size += len(part)
        count += 1
    return head + "".join(parts) + tail, count


def asyncapi_document(max_bytes: int) -> tuple[str, int]:
    """AsyncAPI 3 as compact JSON: one channel, one sending operation and one message each.
    Channels and operations share the budget, so half of it goes to each."""
    channels, count = _fill(
        "",
        '"c%d":{"address":"c/%d","messages":{"m":{"payload":{"type":"object",'
        '"properties":{"id":{"type":"string"}}}}}}',
        "",
        max_bytes // 2,
        ",",
    )
    operation = (
        '"o%d":{"action":"send","channel":{"$ref":"#/channels/c%d"},'
        '"messages":[{"$ref":"#/channels/c%d/messages/m"}]}'
    )
    operations = ",".join(operation.replace("%d", str(n)) for n in range(count))
    head = '{"asyncapi":"3.0.0","info":{"title":"Largest","version":"1.0.0"},"channels":{'
    text = head + channels + '},"operations":{' + operations + "}}"
    while len(text.encode()) > max_bytes:  # the operations may overrun their half
        count -= 1
        channels = channels[: channels.rindex(',"c')]
        operations = operations[: operations.rindex(',"o')]
        text = head + channels + '},"operations":{' + operations + "}}"
    return text, count


def proto_document(max_bytes: int) -> tuple[str, int]:
    head = 'syntax = "proto3";\npackage bench.v1;\nservice S { rpc Get (M0) returns (M1); }\n'
    item = "message M%d { string id = 1; int64 count = 2; repeated string tags = 3; }\n"
    return _fill(head, item, "", max_bytes)


def documents(kind: str, settings) -> tuple[str, str, int]:
    """(base, revision, items): the revision changes every item, at the same size."""
    max_bytes = settings.KEEL_SPEC_MAX_BYTES
    if kind == "graphql":
        base, items = graphql_document(max_bytes, settings.KEEL_SPEC_MAX_GRAPHQL_TOKENS)
        return base, base.replace("name: String", "name: Float"), items
    if kind == "asyncapi":
        base, items = asyncapi_document(max_bytes)
        return base, base.replace('"type":"string"', '"type":"number"'), items
    base, items = proto_document(max_bytes)
    return base, base.replace("int64 count", "int32 count"), items


def _timed(function) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def measure(kind: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings

    from catalog.specs import validate_spec
    from contracts.diffing import compare
    from contracts.diffing.comparing import RULES

    base, revision, items = documents(kind, settings)
    compare_s, compare_cpu_s, result = _timed(lambda: compare(kind, base, revision))
    parse_s, _, parsed = _timed(lambda: (validate_spec(kind, base), validate_spec(kind, revision)))
    rules_s, rules_cpu_s, found = _timed(lambda: RULES[kind](*parsed))
    return {
        "kind": kind,
        "bytes": [len(base.encode()), len(revision.encode())],
        "items": items,
        "changes": len(result.changes),
        "verdict": result.verdict,
        "problems": result.problems[:3],
        "compare_s": round(compare_s, 2),
        "compare_cpu_s": round(compare_cpu_s, 2),
        "parse_both_s": round(parse_s, 2),
        "rules_s": round(rules_s, 2),
        "rules_cpu_s": round(rules_cpu_s, 2),
        "rules_changes": len(found),
    }


KINDS = ("asyncapi", "graphql", "grpc")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kind", choices=KINDS)
    args = parser.parse_args()
    results = [measure(kind) for kind in ([args.kind] if args.kind else KINDS)]
    load = dict(zip(("1min", "5min", "15min"), os.getloadavg(), strict=True))
    print(json.dumps({"load_average": load, "documents": results}, indent=2))


if __name__ == "__main__":
    main()
