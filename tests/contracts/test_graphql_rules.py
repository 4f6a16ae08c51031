"""GraphQL rules: one base and revision per rule, each asserting level, rule id and location."""

import pytest
from graphql import BreakingChangeType, DangerousChangeType, build_schema

from contracts.diffing import Level, compare
from contracts.diffing.graphql import _PLACES, changes

B, P, D, N = (
    Level.BREAKING,
    Level.POTENTIALLY_BREAKING,
    Level.DEPRECATION,
    Level.NON_BREAKING,
)

BASE = """
type Query { pets(limit: Int = 20, kind: Kind): [Pet] owner: Owner }
type Pet implements Node { id: ID! name: String tag: String }
type Owner { id: ID! }
type Clinic { id: ID! }
interface Node { id: ID! }
union Result = Pet | Owner
enum Kind { DOG CAT }
input PetInput { name: String! tag: String }
directive @cached(ttl: Int) repeatable on FIELD_DEFINITION | OBJECT
"""


def revise(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new, 1)


RULES = [
    # graphql-core's breaking changes
    ("type-removed", revise("type Clinic { id: ID! }", ""), B, "Clinic"),
    ("field-removed", revise(" tag: String }", " }"), B, "Pet.tag"),
    ("field-changed-kind", revise("name: String tag", "name: Int tag"), B, "Pet.name"),
    ("field-changed-kind", revise("name: String!", "name: Int!"), B, "PetInput.name"),
    (
        "arg-removed",
        revise("pets(limit: Int = 20, kind: Kind)", "pets(kind: Kind)"),
        B,
        "Query.pets(limit)",
    ),
    (
        "arg-changed-kind",
        revise("pets(limit: Int = 20,", 'pets(limit: String = "20",'),
        B,
        "Query.pets(limit)",
    ),
    (
        "required-arg-added",
        revise("kind: Kind)", "kind: Kind, sort: String!)"),
        B,
        "Query.pets(sort)",
    ),
    (
        "required-input-field-added",
        revise("String! tag: String }", "String! tag: String age: Int! }"),
        B,
        "PetInput.age",
    ),
    ("value-removed-from-enum", revise("DOG CAT", "DOG"), B, "Kind.CAT"),
    ("type-removed-from-union", revise("= Pet | Owner", "= Pet"), B, "Result"),
    ("implemented-interface-removed", revise("Pet implements Node", "Pet"), B, "Pet"),
    ("directive-removed", revise(BASE[BASE.index("directive") :], ""), B, "@cached"),
    ("directive-arg-removed", revise("@cached(ttl: Int)", "@cached"), B, "@cached(ttl)"),
    (
        "required-directive-arg-added",
        revise("(ttl: Int)", "(ttl: Int, scope: String!)"),
        B,
        "@cached(scope)",
    ),
    ("directive-repeatable-removed", revise(" repeatable", ""), B, "@cached"),
    ("directive-location-removed", revise(" | OBJECT", ""), B, "@cached"),
    # graphql-core's dangerous changes
    ("value-added-to-enum", revise("DOG CAT", "DOG CAT FISH"), P, "Kind.FISH"),
    (
        "type-added-to-union",
        revise("= Pet | Owner", "= Pet | Owner | Other type Other { a: Int }"),
        P,
        "Result",
    ),
    (
        "optional-arg-added",
        revise("kind: Kind)", "kind: Kind, sort: String)"),
        P,
        "Query.pets(sort)",
    ),
    (
        "optional-input-field-added",
        revise("String! tag: String }", "String! tag: String age: Int }"),
        P,
        "PetInput.age",
    ),
    (
        "implemented-interface-added",
        revise("type Owner {", "type Owner implements Node {"),
        P,
        "Owner",
    ),
    (
        "arg-default-value-change",
        revise("pets(limit: Int = 20,", "pets(limit: Int = 10,"),
        P,
        "Query.pets(limit)",
    ),
    # What graphql-core leaves out
    ("type-added", BASE + "type Vet { id: ID! }", N, "Vet"),
    ("field-added", revise(" tag: String }", " tag: String age: Int }"), N, "Pet.age"),
    ("directive-added", BASE + "directive @auth on FIELD_DEFINITION", N, "@auth"),
    ("field-type-changed-safely", revise("name: String tag", "name: String! tag"), N, "Pet.name"),
    (
        "field-type-changed-safely",
        revise("kind: Kind): [Pet]", "kind: Kind): [Pet!]!"),
        N,
        "Query.pets",
    ),
    ("input-type-changed-safely", revise("name: String!", "name: String"), N, "PetInput.name"),
    (
        "field-deprecated",
        revise("name: String tag", 'name: String @deprecated(reason: "Use title.") tag'),
        D,
        "Pet.name",
    ),
    (
        "arg-deprecated",
        revise("pets(limit: Int = 20,", "pets(limit: Int = 20 @deprecated,"),
        D,
        "Query.pets(limit)",
    ),
    (
        "input-field-deprecated",
        revise("String! tag: String }", "String! tag: String @deprecated }"),
        D,
        "PetInput.tag",
    ),
    ("enum-value-deprecated", revise("DOG CAT", "DOG CAT @deprecated"), D, "Kind.CAT"),
]


def found(base: str, revision: str):
    return changes(build_schema(base), build_schema(revision))


@pytest.mark.parametrize(
    ("rule", "revision", "level", "location"),
    RULES,
    ids=[f"{case[0]}-{index}" for index, case in enumerate(RULES)],
)
def test_rule(rule, revision, level, location):
    # Given the base and a revision that differs in one place; when compared
    result = found(BASE, revision)
    # then the change is named with its level, rule id and place.
    assert (f"graphql.{rule}", level, location) in {
        (change.rule, change.level, change.location) for change in result
    }, [change.as_dict() for change in result]
    assert all(change.message for change in result)


def test_an_argument_made_optional_is_safe():
    base = BASE.replace("owner: Owner }", "owner(id: ID!): Owner }")
    result = found(base, base.replace("owner(id: ID!)", "owner(id: ID)"))
    assert [(c.rule, c.level, c.location) for c in result] == [
        ("graphql.input-type-changed-safely", N, "Query.owner(id)")
    ]


def test_every_change_type_of_graphql_core_has_a_place():
    # A new graphql-core change type would otherwise fall back to the sentence's first word.
    names = {kind.name for kind in BreakingChangeType} | {kind.name for kind in DangerousChangeType}
    assert names == set(_PLACES)


def test_the_same_schema_has_no_changes():
    assert found(BASE, BASE) == []


def test_compare_end_to_end():
    result = compare("graphql", BASE, revise(" tag: String }", " }"))
    assert result.comparable and result.problems == []
    assert result.verdict == "breaking"
    assert [(c["rule"], c["location"]) for c in result.as_dict()["changes"]] == [
        ("graphql.field-removed", "Pet.tag")
    ]


def test_an_invalid_but_buildable_schema_is_compared_with_its_problems():
    # Two definitions of Owner's field: SDL validation refuses it, the schema still builds.
    revision = revise("type Owner { id: ID! }", "type Owner { id: ID! id: ID! name: String }")
    result = compare("graphql", BASE, revision)
    assert result.comparable
    assert len(result.problems) == 1 and result.problems[0].startswith("The revision: Invalid")
    assert ("graphql.field-added", "Owner.name") in {(c.rule, c.location) for c in result.changes}


def test_unparseable_sdl_is_not_comparable():
    result = compare("graphql", BASE, "type Query {")
    assert not result.comparable
    assert [c.rule for c in result.changes] == ["could-not-compare"]
    assert result.verdict == "potentially-breaking"
