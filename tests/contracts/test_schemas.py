"""The JSON Schema comparison on its own, as the OpenAPI and AsyncAPI rules call it."""

import pytest

from contracts.diffing import Level
from contracts.diffing.schemas import MAX_REPEATED, REQUEST, RESPONSE, SchemaDiff, compare_schemas


def found(base, revision, direction, root_base=None, root_revision=None):
    """(rule without prefix, level, location suffix) of each change."""
    changes = compare_schemas(
        base,
        revision,
        direction=direction,
        location="here",
        rule_prefix="t",
        base_root=root_base,
        revision_root=root_revision,
    )
    return {(c.rule.removeprefix("t-"), c.level, c.location.removeprefix("here")) for c in changes}


B, N, P, D = Level.BREAKING, Level.NON_BREAKING, Level.POTENTIALLY_BREAKING, Level.DEPRECATION


@pytest.mark.parametrize(
    ("base", "revision", "request_level", "response_level", "rule"),
    [
        ({"type": "number"}, {"type": "integer"}, B, N, "type-changed"),
        ({"type": "integer"}, {"type": "number"}, N, B, "type-changed"),
        ({"type": "string"}, {"type": ["string", "integer"]}, N, B, "type-changed"),
        ({}, {"type": "string"}, B, N, "type-changed"),
        ({"type": "string"}, {"type": "string", "format": "uuid"}, B, N, "format-added"),
        ({"type": "string", "format": "uuid"}, {"type": "string"}, N, B, "format-removed"),
        ({"type": "string"}, {"type": "string", "enum": ["a"]}, B, N, "became-enum"),
        ({"enum": ["a", "b"]}, {"enum": ["a"]}, B, N, "enum-value-removed"),
        ({"enum": ["a"]}, {"enum": ["a", "b"]}, N, P, "enum-value-added"),
        ({"const": "a"}, {"enum": ["a", "b"]}, N, P, "enum-value-added"),
        ({"maxLength": 10}, {"maxLength": 5}, B, N, "max-length-decreased"),
        ({"maxLength": 5}, {"maxLength": 10}, N, B, "max-length-increased"),
        ({}, {"maxItems": 3}, B, N, "max-items-set"),
        ({"maximum": 3}, {}, N, B, "max-removed"),
        ({"minLength": 1}, {"minLength": 2}, B, N, "min-length-increased"),
        ({"minimum": 1}, {"minimum": 0}, N, B, "min-decreased"),
        ({"exclusiveMaximum": 10}, {"exclusiveMaximum": 9}, B, N, "max-decreased"),
        (
            {"maximum": 10},
            {"maximum": 10, "exclusiveMaximum": True},
            B,
            N,
            "max-exclusive-changed",
        ),
        ({}, {"pattern": "^a"}, B, N, "pattern-added"),
        ({"pattern": "^a"}, {"pattern": "^b"}, B, P, "pattern-changed"),
        ({"pattern": "^a"}, {"pattern": ".*"}, N, P, "pattern-changed"),
        ({"pattern": "^a"}, {}, N, B, "pattern-removed"),
        ({}, {"uniqueItems": True}, B, N, "unique-items-added"),
        ({"multipleOf": 2}, {}, N, B, "multiple-of-removed"),
        ({"not": {"type": "string"}}, {"not": {"type": "integer"}}, P, P, "not-changed"),
        ({"type": "string", "nullable": True}, {"type": "string"}, B, N, "became-not-nullable"),
        ({"type": "string"}, {"type": ["string", "null"]}, N, B, "became-nullable"),
        (
            {"type": "object"},
            {"type": "object", "additionalProperties": False},
            B,
            N,
            "additional-properties-became-false",
        ),
        ({"additionalProperties": False}, {}, N, P, "additional-properties-allowed"),
        ({}, {"deprecated": True}, D, D, "schema-deprecated"),
    ],
)
def test_a_keyword_by_direction(base, revision, request_level, response_level, rule):
    assert found(base, revision, REQUEST) == {(rule, request_level, "")}
    assert found(base, revision, RESPONSE) == {(rule, response_level, "")}


def obj(required=(), **properties):
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


S = {"type": "string"}


@pytest.mark.parametrize(
    ("base", "revision", "direction", "expected"),
    [
        (obj(a=S), obj(["a"], a=S), REQUEST, ("property-became-required", B, " /a")),
        (
            obj(a=S),
            obj(["a"], a={**S, "readOnly": True}),
            REQUEST,
            ("property-became-required", N, " /a"),
        ),
        (obj(["a"], a=S), obj(a=S), REQUEST, ("property-became-optional", N, " /a")),
        (obj(["a"], a=S), obj(a=S), RESPONSE, ("property-became-optional", B, " /a")),
        (
            obj(["a"], a=S),
            obj(a={**S, "writeOnly": True}),
            RESPONSE,
            ("property-became-optional", N, " /a"),
        ),
        (obj(), obj(["a"], a=S), REQUEST, ("new-required-property", B, " /a")),
        (obj(), obj(["a"], a={**S, "default": "x"}), REQUEST, ("new-required-property", N, " /a")),
        (obj(), obj(a=S), REQUEST, ("new-optional-property", N, " /a")),
        (obj(), obj(["a"], a=S), RESPONSE, ("new-required-property", N, " /a")),
        (obj(["a"], a=S), obj(), RESPONSE, ("required-property-removed", B, " /a")),
        (obj(a=S), obj(), RESPONSE, ("optional-property-removed", P, " /a")),
        (
            obj(["a"], a={**S, "writeOnly": True}),
            obj(),
            RESPONSE,
            ("required-property-removed", N, " /a"),
        ),
        (obj(a=S), obj(), REQUEST, ("optional-property-removed", P, " /a")),
        (
            obj(a=obj(b=S)),
            obj(a=obj(["b"], b=S)),
            REQUEST,
            ("property-became-required", B, " /a/b"),
        ),
        (
            {"type": "array", "items": obj(b=S)},
            {"type": "array", "items": obj(["b"], b=S)},
            REQUEST,
            ("property-became-required", B, " /items/b"),
        ),
        (
            {"additionalProperties": {"type": "integer"}},
            {"additionalProperties": {"type": "string"}},
            RESPONSE,
            ("type-changed", B, " /additionalProperties"),
        ),
    ],
)
def test_properties(base, revision, direction, expected):
    assert found(base, revision, direction) == {expected}


ROOT = {
    "components": {
        "schemas": {"Cat": obj(a=S), "Dog": obj(b=S), "Owl": obj(c=S)},
    }
}
CAT, DOG, OWL = ({"$ref": f"#/components/schemas/{n}"} for n in ("Cat", "Dog", "Owl"))


@pytest.mark.parametrize(
    ("keyword", "direction", "level"),
    [
        ("oneOf", REQUEST, N),
        ("oneOf", RESPONSE, B),
        ("anyOf", RESPONSE, B),
        ("allOf", REQUEST, B),
        ("allOf", RESPONSE, N),
    ],
)
def test_a_member_added_to_a_combination(keyword, direction, level):
    changes = found({keyword: [CAT, DOG]}, {keyword: [CAT, DOG, OWL]}, direction, ROOT, ROOT)

    assert changes == {(f"{keyword.lower()}-added", level, "")}


@pytest.mark.parametrize(
    ("keyword", "direction", "level"),
    [("oneOf", REQUEST, B), ("oneOf", RESPONSE, N), ("allOf", REQUEST, N), ("allOf", RESPONSE, P)],
)
def test_a_member_removed_from_a_combination(keyword, direction, level):
    changes = found({keyword: [CAT, DOG]}, {keyword: [DOG]}, direction, ROOT, ROOT)

    assert changes == {(f"{keyword.lower()}-removed", level, "")}


def test_members_matched_by_ref_are_compared_under_their_name():
    revision = {
        "components": {"schemas": {**ROOT["components"]["schemas"], "Dog": obj(["b"], b=S)}}
    }

    changes = found({"oneOf": [CAT, DOG]}, {"oneOf": [DOG, CAT]}, REQUEST, ROOT, revision)

    assert changes == {("property-became-required", B, " /oneOf[Dog]/b")}


def test_inline_members_of_a_stable_count_are_compared_by_position():
    changes = found({"anyOf": [S, obj(a=S)]}, {"anyOf": [S, obj(["a"], a=S)]}, REQUEST)

    assert changes == {("property-became-required", B, " /anyOf[#1]/a")}


def test_inline_members_of_a_changed_count_are_one_potentially_breaking_change():
    changes = found({"oneOf": [S, obj()]}, {"oneOf": [S]}, REQUEST)

    assert changes == {("oneof-changed", P, "")}


def test_mutual_recursion_terminates_and_reports_each_change_once():
    def root(kind):
        return {
            "components": {
                "schemas": {
                    "A": obj(b={"$ref": "#/components/schemas/B"}, x={"type": kind}),
                    "B": obj(a={"$ref": "#/components/schemas/A"}),
                }
            }
        }

    a = {"$ref": "#/components/schemas/A"}

    changes = found(a, a, REQUEST, root("string"), root("integer"))

    assert changes == {("type-changed", B, " /x")}


def test_a_diamond_of_shared_components_is_capped_but_every_change_reported_once():
    # Each level refers to the next twice: 2**30 paths to the leaf, 31 distinct pairs.
    def root(kind):
        schemas = {f"L{i}": obj(l=f(i + 1), r=f(i + 1)) for i in range(30)}
        schemas["L30"] = {"type": kind}
        return {"components": {"schemas": schemas}}

    def f(i):
        return {"$ref": f"#/components/schemas/L{i}"}

    diff = SchemaDiff(root("string"), root("integer"))
    changes = diff.compare(f(0), f(0), direction=RESPONSE, location="here", rule_prefix="t")

    assert 1 <= len(changes) <= MAX_REPEATED + 30
    assert diff.truncated
    assert {c.rule for c in changes} == {"t-type-changed"}


def test_the_location_and_pointer_follow_the_document():
    root = {"components": {"schemas": {"Pet": obj(**{"a/b": S})}}}
    revision = {"components": {"schemas": {"Pet": obj(["a/b"], **{"a/b": S})}}}

    (change,) = compare_schemas(
        {"$ref": "#/components/schemas/Pet"},
        {"$ref": "#/components/schemas/Pet"},
        direction=REQUEST,
        location="channel user/signedup message payload",
        rule_prefix="asyncapi.payload",
        base_root=root,
        revision_root=revision,
    )

    assert change.rule == "asyncapi.payload-property-became-required"
    assert change.location == "channel user/signedup message payload /a/b"
    assert change.pointer == "/components/schemas/Pet/properties/a~1b"
    assert change.message == "Property /a/b became required."


def test_an_unknown_direction_is_refused():
    with pytest.raises(ValueError, match="direction"):
        compare_schemas({}, {}, direction="sideways", location="x", rule_prefix="t")


@pytest.mark.parametrize(("direction", "level"), [(REQUEST, B), (RESPONSE, N)])
def test_items_became_false(direction, level):
    changes = found({"type": "array"}, {"type": "array", "items": False}, direction)

    assert changes == {("schema-became-false", level, " /items")}


def test_a_null_branch_wrapped_round_a_ref_is_one_nullability_change():
    root = {"components": {"schemas": {"Kind": {"type": "string", "enum": ["a", "b"]}}}}
    kind = {"$ref": "#/components/schemas/Kind"}
    wrapped = {"oneOf": [{"type": "null"}, kind]}

    assert found(obj(k=kind), obj(k=wrapped), RESPONSE, root, root) == {
        ("became-nullable", B, " /k")
    }
    assert found(obj(k=wrapped), obj(k=kind), REQUEST, root, root) == {
        ("became-not-nullable", B, " /k")
    }


def test_a_recursive_schema_wrapped_in_a_null_branch_terminates():
    root = {
        "components": {
            "schemas": {
                "Node": obj(
                    next={"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Node"}]}
                )
            }
        }
    }
    node = {"$ref": "#/components/schemas/Node"}

    assert found(node, node, REQUEST, root, root) == set()
