"""Time of the OpenAPI contract diff: the largest documents the size cap allows, and a typical
200-operation specification.

Three pairs, each a base and a revision that removes, adds and changes about a tenth of what
the base has (so every rule runs, and the diff has something to report):

- ``largest-paths``: ``specs.openapi_document`` (compact JSON, as many one-GET paths as fit in
  ``KEEL_SPEC_MAX_BYTES``), the shape with the most operations per byte;
- ``largest-schemas``: compact JSON with as many operations as fit, each taking and returning
  its own component schema of a few properties, nested objects and arrays (the shape with the
  most schema comparisons per byte);
- ``typical-200``: YAML with 200 operations over 100 paths, parameters, request bodies and
  responses referring to 40 shared components.

For each it prints, wall-clock: the median and slowest of ``--runs`` runs of the rules alone on
the parsed documents (``rules_only``) and of parsing both texts without validation then the
rules (``parse_and_rules``: the diff's own cost once both sides are known valid, as at publish);
one run of the whole ``compare`` (``compare_once``: both sides validated by
``openapi-spec-validator`` first, which dominates; ``benchmarks/specs.py`` measures that);
and a check request's own work (``check``: the candidate validated once and compared as its
validation read it, with the published base as read for the previous check, as
``contracts.checking`` does; the first run reads the base too).
Figures are printed, never asserted.

    .venv/bin/python benchmarks/contract_diff.py --runs 5
"""

import argparse
import copy
import json
import os
import statistics
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from specs import openapi_document  # noqa: E402 - beside this script


def _largest_paths(max_bytes: int) -> tuple[str, str]:
    base, count = openapi_document(max_bytes)
    document = json.loads(base)
    paths = document["paths"]
    for index in range(0, count, 10):  # a tenth removed, a tenth gain a required parameter
        paths.pop(f"/resource-{index}")
        operation = paths.get(f"/resource-{index + 1}", {}).get("get")
        if operation is not None:
            operation["parameters"] = [
                {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}
            ]
    return base, _compact(document)


def _schema(index: int) -> dict:
    return {
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "id": {"type": "integer", "minimum": 1},
            "name": {"type": "string", "maxLength": 64},
            "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b", "c"]}},
            "owner": {
                "type": "object",
                "properties": {"team": {"type": "string"}, "since": {"type": "string"}},
            },
        },
    }


def _operation(index: int, ref: str) -> dict:
    schema = {"$ref": ref}
    return {
        "operationId": f"op{index}",
        "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
        "requestBody": {"content": {"application/json": {"schema": schema}}},
        "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": schema}}}
        },
    }


def _document(count: int, shared: int | None = None) -> dict:
    """``count`` POST operations, each on its own path, referring to ``shared`` components
    (one each when None)."""
    names = range(shared if shared else count)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Diffed", "version": "1.0.0"},
        "paths": {
            f"/things-{i}/{{id}}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "post": _operation(i, f"#/components/schemas/S{i % len(names)}"),
            }
            for i in range(count)
        },
        "components": {"schemas": {f"S{i}": _schema(i) for i in names}},
    }


def _revised(document: dict) -> dict:
    """About a tenth of the operations removed, of the schemas narrowed, of the parameters
    made required."""
    revision = copy.deepcopy(document)
    paths = list(revision["paths"])
    for path in paths[::10]:
        del revision["paths"][path]
    for path in paths[1::10]:
        revision["paths"][path]["post"]["parameters"][0]["required"] = True
    for schema in list(revision["components"]["schemas"].values())[::10]:
        schema["properties"]["name"]["maxLength"] = 32
        schema["properties"]["tags"]["items"]["enum"] = ["a", "b"]
        schema["required"].append("tags")
    return revision


def _compact(document: dict) -> str:
    return json.dumps(document, separators=(",", ":"))


def _largest_schemas(max_bytes: int) -> tuple[str, str]:
    low, high = 1, 20_000
    while low < high:  # the most operations whose base and revision both fit
        middle = (low + high + 1) // 2
        if len(_compact(_document(middle))) <= max_bytes:
            low = middle
        else:
            high = middle - 1
    document = _document(low)
    return _compact(document), _compact(_revised(document))


def _typical() -> tuple[str, str]:
    document = _document(100, shared=40)
    for path, item in document["paths"].items():  # a GET beside each POST: 200 operations
        item["get"] = {
            "operationId": "get" + path.replace("/", "-"),
            "responses": {"200": item["post"]["responses"]["200"]},
        }
    # Through JSON first: PyYAML writes anchors for shared objects, which Keel refuses.
    plain = json.loads(json.dumps(document))
    return yaml.safe_dump(plain), yaml.safe_dump(json.loads(json.dumps(_revised(plain))))


def _times(function, runs: int) -> tuple[dict, object]:
    """Median and slowest wall-clock milliseconds, and the median CPU milliseconds (on the
    shared two-core machine the CPU time is the steadier figure)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = function()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {
        "median_ms": round(1000 * statistics.median(wall), 1),
        "max_ms": round(1000 * max(wall), 1),
        "cpu_median_ms": round(1000 * statistics.median(cpu), 1),
    }, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings

    from catalog.specs import load_document, validate_spec
    from contracts.diffing import compare, compare_valid, openapi

    max_bytes = settings.KEEL_SPEC_MAX_BYTES
    pairs = {
        "largest-paths": _largest_paths(max_bytes),
        "largest-schemas": _largest_schemas(max_bytes),
        "typical-200": _typical(),
    }
    report = {"max_bytes": max_bytes, "runs": arguments.runs}
    for name, (base, revision) in pairs.items():
        parsed = validate_spec("openapi", base), validate_spec("openapi", revision)
        whole, comparison = _times(lambda: compare("openapi", base, revision), 1)  # noqa: B023
        rules, _ = _times(lambda: openapi.changes(*parsed), arguments.runs)  # noqa: B023
        parse_and_rules, _ = _times(
            lambda: openapi.changes(load_document(base), load_document(revision)),  # noqa: B023
            arguments.runs,
        )

        def check(base=base, revision=revision):
            return compare_valid("openapi", base, revision, validate_spec("openapi", revision))

        checked, _ = _times(check, arguments.runs)
        report[name] = {
            "bytes": [len(base.encode()), len(revision.encode())],
            "operations": sum(
                1 for item in parsed[0]["paths"].values() for key in item if key in openapi.METHODS
            ),
            "changes": comparison.counts(),
            "rules_only": rules,
            "parse_and_rules": parse_and_rules,
            "compare_once": whole,
            "check": checked,
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
