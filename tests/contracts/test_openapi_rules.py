"""The OpenAPI rules: one small base and revision per rule, compared as text as a publish
compares them (validated, leniently parsed where refused)."""

import copy
import datetime
import json

import pytest
import yaml

from catalog.specs import validate_spec
from contracts.diffing import Level, compare
from contracts.diffing import openapi as openapi_rules
from contracts.diffing.comparing import compare_parsed

PAST, FUTURE = "2001-01-01", "2999-01-01"


def document(paths: dict, *, version: str = "3.0.3", **top) -> dict:
    return {
        "openapi": version,
        "info": {"title": "Pets", "version": "1.0.0"},
        "paths": paths,
        **top,
    }


def ok(schema: dict | None = None, **extra) -> dict:
    response = {"description": "ok", **extra}
    if schema is not None:
        response["content"] = {"application/json": {"schema": schema}}
    return response


def operation(**fields) -> dict:
    return {"responses": {"200": ok()}, **fields}


def pets(**operations) -> dict:
    return document({"/pets": operations})


def body(schema: dict, required: bool = True) -> dict:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def query(name: str, required: bool = False, **schema) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": {"type": "string", **schema},
    }


def as_yaml(document: dict) -> str:
    """YAML without anchors (Keel refuses them), which PyYAML writes for shared objects."""
    return yaml.safe_dump(json.loads(json.dumps(document)))


def diff(base: dict, revision: dict):
    return compare("openapi", as_yaml(base), as_yaml(revision))


def only(comparison, rule: str):
    """The one change with ``rule`` (its id without the ``openapi.`` prefix)."""
    found = [change for change in comparison.changes if change.rule == f"openapi.{rule}"]
    assert len(found) == 1, (rule, [c.as_dict() for c in comparison.changes])
    return found[0]


PET = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string"}, "tag": {"type": "string"}},
}


def with_pet(pet: dict, where: str = "response", version: str = "3.0.3") -> dict:
    """``GET /pets`` returning, or ``POST /pets`` taking, a Pet component."""
    ref = {"$ref": "#/components/schemas/Pet"}
    op = (
        operation(responses={"200": ok(ref)})
        if where == "response"
        else operation(requestBody=body(ref))
    )
    return document(
        {"/pets": {"get" if where == "response" else "post": op}},
        version=version,
        components={"schemas": {"Pet": pet}},
    )


def changed(pet: dict, **edits) -> dict:
    """A copy of a schema with properties edited (None removes one) and other keys set."""
    result = copy.deepcopy(pet)
    for key, value in edits.items():
        if key in result.get("properties", {}) or key.startswith("prop_"):
            name = key.removeprefix("prop_")
            if value is None:
                result["properties"].pop(name)
            else:
                result["properties"][name] = value
        elif key == "required" and not value:
            result.pop("required", None)  # OpenAPI 3.0 refuses an empty list
        else:
            result[key] = value
    return result


PATH_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}

CASES = [
    # (id, base, revision, rule, level, location)
    (
        "path removed",
        pets(get=operation()),
        document({"/dogs": {"get": operation()}}),
        "api-path-removed-without-deprecation",
        Level.BREAKING,
        "GET /pets",
    ),
    (
        "path added",
        pets(get=operation()),
        document({"/pets": {"get": operation()}, "/dogs": {"get": operation()}}),
        "api-path-added",
        Level.NON_BREAKING,
        "/dogs",
    ),
    (
        "operation removed",
        pets(get=operation(), post=operation()),
        pets(get=operation()),
        "api-removed-without-deprecation",
        Level.BREAKING,
        "POST /pets",
    ),
    (
        "deprecated operation removed before its sunset",
        pets(get=operation(), post=operation(deprecated=True, **{"x-sunset": FUTURE})),
        pets(get=operation()),
        "api-removed-before-sunset",
        Level.BREAKING,
        "POST /pets",
    ),
    (
        "deprecated operation removed after its sunset",
        pets(get=operation(), post=operation(deprecated=True, **{"x-sunset": PAST})),
        pets(get=operation()),
        "api-removed-with-deprecation",
        Level.NON_BREAKING,
        "POST /pets",
    ),
    (
        "deprecated operation with an unreadable sunset removed",
        pets(get=operation(), post=operation(deprecated=True, **{"x-sunset": "next year"})),
        pets(get=operation()),
        "api-sunset-parse",
        Level.BREAKING,
        "POST /pets",
    ),
    (
        "alpha operation removed",
        pets(get=operation(), post=operation(**{"x-stability-level": "alpha"})),
        pets(get=operation()),
        "api-removed-with-deprecation",
        Level.NON_BREAKING,
        "POST /pets",
    ),
    (
        "request body removed",
        pets(post=operation(requestBody=body({"type": "object"}))),
        pets(post=operation()),
        "request-body-removed",
        Level.BREAKING,
        "POST /pets request body",
    ),
    (
        "operation id removed",
        pets(get=operation(operationId="listPets")),
        pets(get=operation()),
        "api-operation-id-removed",
        Level.POTENTIALLY_BREAKING,
        "GET /pets",
    ),
    (
        "operation added",
        pets(get=operation()),
        pets(get=operation(), post=operation()),
        "endpoint-added",
        Level.NON_BREAKING,
        "POST /pets",
    ),
    (
        "operation deprecated",
        pets(get=operation()),
        pets(get=operation(deprecated=True)),
        "endpoint-deprecated",
        Level.DEPRECATION,
        "GET /pets",
    ),
    (
        "sunset date added",
        pets(get=operation(deprecated=True)),
        pets(get=operation(deprecated=True, **{"x-sunset": FUTURE})),
        "api-sunset-date-added",
        Level.DEPRECATION,
        "GET /pets",
    ),
    (
        "sunset date moved earlier",
        pets(get=operation(deprecated=True, **{"x-sunset": "2999-06-01"})),
        pets(get=operation(deprecated=True, **{"x-sunset": FUTURE})),
        "api-sunset-date-changed-too-small",
        Level.DEPRECATION,
        "GET /pets",
    ),
    (
        "sunset date removed from a deprecated operation",
        pets(get=operation(deprecated=True, **{"x-sunset": FUTURE})),
        pets(get=operation(deprecated=True)),
        "api-sunset-deleted",
        Level.BREAKING,
        "GET /pets",
    ),
    (
        "operation id changed",
        pets(get=operation(operationId="listPets")),
        pets(get=operation(operationId="allPets")),
        "api-operation-id-changed",
        Level.POTENTIALLY_BREAKING,
        "GET /pets",
    ),
    (
        "success status removed",
        pets(get=operation(responses={"200": ok(), "201": ok()})),
        pets(get=operation(responses={"201": ok()})),
        "response-success-status-removed",
        Level.BREAKING,
        "GET /pets response 200",
    ),
    (
        "error status removed",
        pets(get=operation(responses={"200": ok(), "404": ok()})),
        pets(get=operation()),
        "response-non-success-status-removed",
        Level.NON_BREAKING,
        "GET /pets response 404",
    ),
    (
        "required query parameter added",
        pets(get=operation()),
        pets(get=operation(parameters=[query("limit", required=True)])),
        "new-required-request-parameter",
        Level.BREAKING,
        "GET /pets query parameter limit",
    ),
    (
        "optional query parameter added",
        pets(get=operation()),
        pets(get=operation(parameters=[query("limit")])),
        "new-optional-request-parameter",
        Level.NON_BREAKING,
        "GET /pets query parameter limit",
    ),
    (
        "header parameter became required",
        pets(get=operation(parameters=[{"name": "X-Tenant", "in": "header", "schema": {}}])),
        pets(
            get=operation(
                parameters=[{"name": "X-Tenant", "in": "header", "required": True, "schema": {}}]
            )
        ),
        "request-parameter-became-required",
        Level.BREAKING,
        "GET /pets header parameter X-Tenant",
    ),
    (
        "cookie parameter removed",
        pets(get=operation(parameters=[{"name": "s", "in": "cookie", "schema": {}}])),
        pets(get=operation()),
        "request-parameter-removed",
        Level.POTENTIALLY_BREAKING,
        "GET /pets cookie parameter s",
    ),
    (
        "deprecated parameter removed before its sunset",
        pets(get=operation(parameters=[{**query("q"), "deprecated": True, "x-sunset": FUTURE}])),
        pets(get=operation()),
        "request-parameter-removed-before-sunset",
        Level.BREAKING,
        "GET /pets query parameter q",
    ),
    (
        "deprecated parameter removed after its sunset",
        pets(get=operation(parameters=[{**query("q"), "deprecated": True, "x-sunset": PAST}])),
        pets(get=operation()),
        "request-parameter-removed-with-deprecation",
        Level.NON_BREAKING,
        "GET /pets query parameter q",
    ),
    (
        "deprecated parameter with an unreadable sunset removed",
        pets(get=operation(parameters=[{**query("q"), "deprecated": True, "x-sunset": "soon"}])),
        pets(get=operation()),
        "request-parameter-sunset-parse",
        Level.BREAKING,
        "GET /pets query parameter q",
    ),
    (
        "parameter deprecated",
        pets(get=operation(parameters=[query("q")])),
        pets(get=operation(parameters=[{**query("q"), "deprecated": True}])),
        "request-parameter-deprecated",
        Level.DEPRECATION,
        "GET /pets query parameter q",
    ),
    (
        "parameter enum value removed",
        pets(get=operation(parameters=[query("sort", enum=["asc", "desc"])])),
        pets(get=operation(parameters=[query("sort", enum=["asc"])])),
        "request-parameter-enum-value-removed",
        Level.BREAKING,
        "GET /pets query parameter sort",
    ),
    (
        "parameter maxLength lowered",
        pets(get=operation(parameters=[query("q", maxLength=100)])),
        pets(get=operation(parameters=[query("q", maxLength=10)])),
        "request-parameter-max-length-decreased",
        Level.BREAKING,
        "GET /pets query parameter q",
    ),
    (
        "parameter pattern added",
        pets(get=operation(parameters=[query("q")])),
        pets(get=operation(parameters=[query("q", pattern="^[a-z]+$")])),
        "request-parameter-pattern-added",
        Level.BREAKING,
        "GET /pets query parameter q",
    ),
    (
        "parameter default of an optional parameter changed",
        pets(get=operation(parameters=[query("sort", default="asc")])),
        pets(get=operation(parameters=[query("sort", default="desc")])),
        "request-parameter-default-value-changed",
        Level.NON_BREAKING,
        "GET /pets query parameter sort",
    ),
    (
        "path parameter renamed",
        document({"/pets/{id}": {"get": operation(parameters=[PATH_ID])}}),
        document({"/pets/{petId}": {"get": operation(parameters=[{**PATH_ID, "name": "petId"}])}}),
        "request-path-parameter-renamed",
        Level.NON_BREAKING,
        "GET /pets/{petId}",
    ),
    (
        "required request body added",
        pets(post=operation()),
        pets(post=operation(requestBody=body({"type": "object"}))),
        "request-body-added-required",
        Level.BREAKING,
        "POST /pets request body",
    ),
    (
        "request body became required",
        pets(post=operation(requestBody=body({"type": "object"}, required=False))),
        pets(post=operation(requestBody=body({"type": "object"}))),
        "request-body-became-required",
        Level.BREAKING,
        "POST /pets request body",
    ),
    (
        "request media type removed",
        pets(
            post=operation(
                requestBody={
                    "content": {
                        "application/json": {"schema": {}},
                        "application/xml": {"schema": {}},
                    }
                }
            )
        ),
        pets(post=operation(requestBody={"content": {"application/json": {"schema": {}}}})),
        "request-body-media-type-removed",
        Level.BREAKING,
        "POST /pets request body application/xml",
    ),
    (
        "response media type removed",
        pets(
            get=operation(
                responses={
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {}, "text/csv": {}},
                    }
                }
            )
        ),
        pets(
            get=operation(
                responses={"200": {"description": "ok", "content": {"application/json": {}}}}
            )
        ),
        "response-media-type-removed",
        Level.BREAKING,
        "GET /pets response 200 text/csv",
    ),
    (
        "request property became required",
        with_pet(PET, "request"),
        with_pet(changed(PET, required=["name", "tag"]), "request"),
        "request-property-became-required",
        Level.BREAKING,
        "POST /pets request body application/json /tag",
    ),
    (
        "request property added as required",
        with_pet(PET, "request"),
        with_pet(changed(PET, required=["name", "age"], prop_age={"type": "integer"}), "request"),
        "request-new-required-property",
        Level.BREAKING,
        "POST /pets request body application/json /age",
    ),
    (
        "request additionalProperties became false",
        with_pet(PET, "request"),
        with_pet(changed(PET, additionalProperties=False), "request"),
        "request-additional-properties-became-false",
        Level.BREAKING,
        "POST /pets request body application/json",
    ),
    (
        "request property no longer nullable (3.0)",
        with_pet(changed(PET, tag={"type": "string", "nullable": True}), "request"),
        with_pet(PET, "request"),
        "request-became-not-nullable",
        Level.BREAKING,
        "POST /pets request body application/json /tag",
    ),
    (
        "response required property removed",
        with_pet(PET),
        with_pet(changed(PET, required=[], name=None)),
        "response-required-property-removed",
        Level.BREAKING,
        "GET /pets response 200 application/json /name",
    ),
    (
        "response optional property removed",
        with_pet(PET),
        with_pet(changed(PET, tag=None)),
        "response-optional-property-removed",
        Level.POTENTIALLY_BREAKING,
        "GET /pets response 200 application/json /tag",
    ),
    (
        "response property became optional",
        with_pet(PET),
        with_pet(changed(PET, required=[])),
        "response-property-became-optional",
        Level.BREAKING,
        "GET /pets response 200 application/json /name",
    ),
    (
        "response property added",
        with_pet(PET),
        with_pet(changed(PET, prop_age={"type": "integer"})),
        "response-new-optional-property",
        Level.NON_BREAKING,
        "GET /pets response 200 application/json /age",
    ),
    (
        "response property became nullable (3.1)",
        with_pet(PET, version="3.1.0"),
        with_pet(changed(PET, tag={"type": ["string", "null"]}), version="3.1.0"),
        "response-became-nullable",
        Level.BREAKING,
        "GET /pets response 200 application/json /tag",
    ),
    (
        "response enum value added",
        with_pet(changed(PET, tag={"type": "string", "enum": ["cat"]})),
        with_pet(changed(PET, tag={"type": "string", "enum": ["cat", "dog"]})),
        "response-enum-value-added",
        Level.POTENTIALLY_BREAKING,
        "GET /pets response 200 application/json /tag",
    ),
    (
        "response property deprecated",
        with_pet(PET),
        with_pet(changed(PET, tag={"type": "string", "deprecated": True})),
        "response-schema-deprecated",
        Level.DEPRECATION,
        "GET /pets response 200 application/json /tag",
    ),
    (
        "required response header removed",
        pets(
            get=operation(
                responses={"200": ok(headers={"X-Rate": {"required": True, "schema": {}}})}
            )
        ),
        pets(get=operation()),
        "required-response-header-removed",
        Level.BREAKING,
        "GET /pets response 200 header X-Rate",
    ),
    (
        "response header became optional",
        pets(
            get=operation(
                responses={"200": ok(headers={"X-Rate": {"required": True, "schema": {}}})}
            )
        ),
        pets(get=operation(responses={"200": ok(headers={"X-Rate": {"schema": {}}})})),
        "response-header-became-optional",
        Level.BREAKING,
        "GET /pets response 200 header X-Rate",
    ),
]

SCHEMES = {
    "securitySchemes": {
        "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
        "oauth": {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "https://auth.example/token",
                    "scopes": {"read": "read", "write": "write"},
                }
            },
        },
    }
}


def secured(global_security=None, **operation_fields) -> dict:
    top = {"components": copy.deepcopy(SCHEMES)}
    if global_security is not None:
        top["security"] = global_security
    return document({"/pets": {"get": operation(**operation_fields)}}, **top)


SECURITY_CASES = [
    (
        "security added to an operation",
        secured(),
        secured(security=[{"key": []}]),
        "api-security-added",
        Level.BREAKING,
        "GET /pets",
    ),
    (
        "security added globally",
        secured(),
        secured([{"key": []}]),
        "api-security-added",
        Level.BREAKING,
        "GET /pets",
    ),
    (
        "operation made anonymous under a global requirement",
        secured([{"key": []}]),
        secured([{"key": []}], security=[]),
        "api-security-removed",
        Level.NON_BREAKING,
        "GET /pets",
    ),
    (
        "scope added",
        secured(security=[{"oauth": ["read"]}]),
        secured(security=[{"oauth": ["read", "write"]}]),
        "api-security-scope-added",
        Level.BREAKING,
        "GET /pets",
    ),
    (
        "requirement replaced",
        secured(security=[{"key": []}]),
        secured(security=[{"oauth": ["read"]}]),
        "api-security-removed",
        Level.BREAKING,
        "GET /pets",
    ),
    (
        "alternative added",
        secured(security=[{"key": []}]),
        secured(security=[{"key": []}, {"oauth": []}]),
        "api-security-alternative-added",
        Level.NON_BREAKING,
        "GET /pets",
    ),
]


def _without_scheme(name: str) -> dict:
    revision = secured()
    del revision["components"]["securitySchemes"][name]
    return revision


def _renamed_header() -> dict:
    revision = secured()
    revision["components"]["securitySchemes"]["key"]["name"] = "X-Api-Key"
    return revision


SECURITY_CASES += [
    (
        "security scheme removed",
        secured(),
        _without_scheme("key"),
        "api-security-component-removed",
        Level.NON_BREAKING,
        "security scheme key",
    ),
    (
        "security scheme changed",
        secured(),
        _renamed_header(),
        "api-security-component-name-changed",
        Level.BREAKING,
        "security scheme key",
    ),
]


@pytest.mark.parametrize(
    ("base", "revision", "rule", "level", "location"),
    [case[1:] for case in CASES + SECURITY_CASES],
    ids=[case[0] for case in CASES + SECURITY_CASES],
)
def test_rule(base, revision, rule, level, location):
    comparison = diff(base, revision)

    assert comparison.comparable
    assert comparison.problems == []
    change = only(comparison, rule)
    assert (change.level, change.location) == (level, location)
    assert change.message


def test_identical_documents_are_unchanged():
    base = with_pet(PET, "request")

    comparison = diff(base, copy.deepcopy(base))

    assert (comparison.verdict, comparison.changes) == ("unchanged", [])


def test_a_change_carries_the_pointer_of_the_component_it_is_in():
    change = only(
        diff(with_pet(PET, "request"), with_pet(changed(PET, required=["name", "tag"]), "request")),
        "request-property-became-required",
    )

    assert change.pointer == "/components/schemas/Pet/properties/tag"


def test_a_shared_component_is_reported_under_every_operation_using_it():
    ref = {"$ref": "#/components/schemas/Pet"}

    def two(pet):
        return document(
            {
                "/pets": {"get": operation(responses={"200": ok(ref)})},
                "/pets/mine": {"get": operation(responses={"200": ok(ref)})},
            },
            components={"schemas": {"Pet": pet}},
        )

    comparison = diff(two(PET), two(changed(PET, required=[])))

    assert sorted(c.location for c in comparison.breaking) == [
        "GET /pets response 200 application/json /name",
        "GET /pets/mine response 200 application/json /name",
    ]


def test_a_recursive_schema_is_compared_once_round_its_cycle():
    def tree(node_type: str) -> dict:
        node = {
            "type": "object",
            "properties": {
                "value": {"type": node_type},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},
            },
        }
        return with_pet(node, version="3.1.0")

    comparison = diff(tree("integer"), tree("string"))

    assert [(c.rule, c.location) for c in comparison.changes] == [
        ("openapi.response-type-changed", "GET /pets response 200 application/json /value")
    ]


def test_the_removal_of_an_operation_is_judged_against_the_day_given():
    base = pets(get=operation(), post=operation(deprecated=True, **{"x-sunset": "2030-01-01"}))
    revision = pets(get=operation())

    before = openapi_rules.changes(base, revision, today=datetime.date(2029, 12, 31))
    after = openapi_rules.changes(base, revision, today=datetime.date(2030, 1, 2))

    assert [(c.rule, c.level) for c in before] == [
        ("openapi.api-removed-before-sunset", Level.BREAKING)
    ]
    assert [(c.rule, c.level) for c in after] == [
        ("openapi.api-removed-with-deprecation", Level.NON_BREAKING)
    ]


def test_an_invalid_but_readable_document_is_compared_with_its_problems():
    revision = pets(get=operation())
    revision["paths"]["/pets"]["post"] = {"summary": "no responses"}  # 3.0 requires them
    del revision["paths"]["/pets"]["get"]

    comparison = diff(pets(get=operation()), revision)

    assert comparison.comparable
    assert comparison.problems and comparison.problems[0].startswith(
        "The revision: Invalid OpenAPI"
    )
    assert only(comparison, "api-removed-without-deprecation").location == "GET /pets"


def test_an_unreadable_document_is_not_comparable():
    comparison = compare("openapi", as_yaml(pets(get=operation())), "paths: [unclosed")

    assert not comparison.comparable
    assert comparison.verdict == "potentially-breaking"
    assert comparison.changes[0].rule == "could-not-compare"


def test_an_unresolvable_ref_in_a_lenient_document_is_potentially_breaking():
    revision = with_pet(PET, "request")
    revision["components"]["schemas"] = {}

    comparison = diff(with_pet(PET, "request"), revision)

    change = only(comparison, "request-schema-ref-unresolvable")
    assert change.level == Level.POTENTIALLY_BREAKING


def test_json_and_yaml_sides_compare_alike():
    base, revision = pets(get=operation()), pets(get=operation(), post=operation())

    from_json = compare("openapi", json.dumps(base), json.dumps(revision))

    assert [c.as_dict() for c in from_json.changes] == [
        c.as_dict() for c in diff(base, revision).changes
    ]


def test_a_global_requirement_no_operation_inherits_breaks_nothing():
    base = secured(security=[{"key": []}])
    revision = secured([{"key": []}], security=[{"key": []}])

    assert diff(base, revision).changes == []


def test_a_media_type_whose_parameters_changed_is_the_same_media_type():
    def typed(media: str, kind: str) -> dict:
        return pets(
            get=operation(
                responses={
                    "200": {"description": "ok", "content": {media: {"schema": {"type": kind}}}}
                }
            )
        )

    comparison = diff(
        typed("application/json", "integer"), typed("application/json; charset=utf-8", "string")
    )

    assert [(c.rule, c.location) for c in comparison.changes] == [
        ("openapi.response-type-changed", "GET /pets response 200 application/json; charset=utf-8")
    ]


ODD = [None, 1, "x", [], {}, [1], {"$ref": 5}, {"$ref": "#/nowhere"}]


@pytest.mark.parametrize("odd", ODD, ids=[repr(value) for value in ODD])
def test_odd_values_in_a_lenient_document_are_compared_without_failing(odd):
    base = pets(post=operation(requestBody=body({"type": "object"}), parameters=[query("q")]))
    revision = document(
        {
            "/pets": {
                "post": {
                    "parameters": [odd],
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": odd,
                                    "properties": odd,
                                    "items": odd,
                                    "enum": odd,
                                    "oneOf": [odd, odd],
                                }
                            }
                        }
                    },
                    "responses": {"200": {"headers": odd, "content": {"a/b": odd}}},
                    "security": odd,
                    "x-sunset": odd,
                }
            }
        },
        components={"securitySchemes": odd},
    )

    for one, other in ((base, revision), (revision, base)):
        comparison = diff(one, other)
        assert comparison.comparable and comparison.problems


def test_documents_parsed_at_publish_compare_as_their_texts_do():
    base, revision = with_pet(PET), with_pet(changed(PET, required=[]))

    parsed = compare_parsed(
        "openapi",
        validate_spec("openapi", as_yaml(base)),
        validate_spec("openapi", as_yaml(revision)),
    )

    assert parsed.as_dict() == diff(base, revision).as_dict()
    assert parsed.verdict == "breaking"


def test_a_text_over_the_size_cap_is_not_read_even_leniently(settings):
    from contracts.diffing import compare

    settings.KEEL_SPEC_MAX_BYTES = 200
    small = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
    big = small + "x-filler: " + "a" * 500 + "\n"
    comparison = compare("openapi", small, big)
    assert not comparison.comparable
    assert comparison.problems == ["The revision is larger than the limit of 200 bytes."]
    assert compare("openapi", small, big, max_bytes=10_000).comparable
