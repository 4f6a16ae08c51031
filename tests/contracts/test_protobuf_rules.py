"""Protobuf rules: one base and revision per rule, each asserting level, rule id and location."""

import pytest

from catalog.specs import parse_proto
from contracts.diffing import Level, compare
from contracts.diffing.protobuf import changes

B, P, D, N = (
    Level.BREAKING,
    Level.POTENTIALLY_BREAKING,
    Level.DEPRECATION,
    Level.NON_BREAKING,
)
SERVICE = "service PetService { rpc GetPet (GetPetRequest) returns (Pet); }"


def proto(body: str, *, package="pets.v1", syntax="proto3", service=SERVICE) -> str:
    head = f'syntax = "{syntax}";\n' + (f"package {package};\n" if package else "")
    return f"{head}message GetPetRequest {{ string id = 1; }}\n{body}\n{service}\n"


def pet(fields: str, extra: str = "", **kwargs) -> str:
    return proto(f"message Pet {{ {fields} }}\n{extra}", **kwargs)


def found(base: str, revision: str):
    return changes(parse_proto(base), parse_proto(revision))


def only(base: str, revision: str):
    """The one change between two documents (the test's pair differs in one place)."""
    result = found(base, revision)
    assert len(result) == 1, [change.as_dict() for change in result]
    return result[0]


NAME = "string id = 1; string name = 2;"
KIND = "enum Kind { KIND_UNSPECIFIED = 0; DOG = 1; CAT = 2; }"

RULES = [
    # Fields
    ("field-removed", pet(NAME), pet("string id = 1;"), B, "pets.v1.Pet.name"),
    (
        "field-removed-reserved",
        pet(NAME),
        pet('string id = 1; reserved 2; reserved "name";'),
        N,
        "pets.v1.Pet.name",
    ),
    ("field-renumbered", pet(NAME), pet("string id = 1; string name = 3;"), B, "pets.v1.Pet.name"),
    ("field-renamed", pet(NAME), pet("string id = 1; string title = 2;"), P, "pets.v1.Pet.name"),
    (
        "field-json-name-changed",
        pet(NAME),
        pet('string id = 1; string name = 2 [json_name = "label"];'),
        P,
        "pets.v1.Pet.name",
    ),
    ("field-type-changed", pet(NAME), pet("string id = 1; int32 name = 2;"), B, "pets.v1.Pet.name"),
    ("field-type-changed", pet("int32 age = 1;"), pet("int64 age = 1;"), P, "pets.v1.Pet.age"),
    ("field-type-changed", pet("int32 age = 1;"), pet("bool age = 1;"), P, "pets.v1.Pet.age"),
    ("field-type-changed", pet("sint32 age = 1;"), pet("int32 age = 1;"), B, "pets.v1.Pet.age"),
    ("field-type-changed", pet("fixed32 age = 1;"), pet("sfixed32 age = 1;"), P, "pets.v1.Pet.age"),
    ("field-type-changed", pet("double w = 1;"), pet("float w = 1;"), B, "pets.v1.Pet.w"),
    (
        "field-type-changed",
        pet("bytes photo = 1;"),
        pet("string photo = 1;"),
        P,
        "pets.v1.Pet.photo",
    ),
    (
        "field-type-changed",
        pet("Kind kind = 1;", KIND),
        pet("int32 kind = 1;", KIND),
        P,
        "pets.v1.Pet.kind",
    ),
    (
        "field-type-changed",
        pet("A other = 1;", "message A {} message C {}"),
        pet("C other = 1;", "message A {} message C {}"),
        B,
        "pets.v1.Pet.other",
    ),
    (
        "field-type-changed",
        pet("map<string, int32> scores = 1;"),
        pet("map<string, string> scores = 1;"),
        B,
        "pets.v1.Pet.scores",
    ),
    (
        "field-type-changed",
        pet("google.protobuf.Timestamp at = 1;"),
        pet("google.protobuf.Duration at = 1;"),
        B,
        "pets.v1.Pet.at",
    ),
    (
        "field-label-changed",
        pet("string tag = 1;"),
        pet("repeated string tag = 1;"),
        B,
        "pets.v1.Pet.tag",
    ),
    (
        "field-label-changed",
        pet("optional string tag = 1;", syntax="proto2"),
        pet("required string tag = 1;", syntax="proto2"),
        B,
        "pets.v1.Pet.tag",
    ),
    (
        "field-presence-changed",
        pet("int32 age = 1;"),
        pet("optional int32 age = 1;"),
        P,
        "pets.v1.Pet.age",
    ),
    (
        "field-oneof-changed",
        pet("oneof contact { string email = 1; string phone = 2; }"),
        pet("string email = 1; oneof contact { string phone = 2; }"),
        B,
        "pets.v1.Pet.email",
    ),
    (
        "field-oneof-changed",
        pet("string email = 1; string phone = 2;"),
        pet("string phone = 2; oneof contact { string email = 1; }"),
        P,
        "pets.v1.Pet.email",
    ),
    (
        "field-default-changed",
        pet("optional int32 age = 1 [default = 1];", syntax="proto2"),
        pet("optional int32 age = 1 [default = 2];", syntax="proto2"),
        P,
        "pets.v1.Pet.age",
    ),
    ("field-added", pet("string id = 1;"), pet(NAME), N, "pets.v1.Pet.name"),
    (
        "required-field-added",
        pet("optional string id = 1;", syntax="proto2"),
        pet("optional string id = 1; required string name = 2;", syntax="proto2"),
        B,
        "pets.v1.Pet.name",
    ),
    (
        "required-field-removed",
        pet("optional string id = 1; required string name = 2;", syntax="proto2"),
        pet("optional string id = 1; reserved 2;", syntax="proto2"),
        B,
        "pets.v1.Pet.name",
    ),
    (
        "field-deprecated",
        pet(NAME),
        pet("string id = 1; string name = 2 [deprecated = true];"),
        D,
        "pets.v1.Pet.name",
    ),
    # Reserved numbers and names
    (
        "reserved-number-reused",
        pet("string id = 1; reserved 5 to 9;"),
        pet("string id = 1; reserved 5, 7 to 9; int32 six = 6;"),
        B,
        "pets.v1.Pet.six",
    ),
    (
        "reserved-name-reused",
        pet('string id = 1; reserved "legacy";'),
        pet("string id = 1; int32 legacy = 2;"),
        B,
        "pets.v1.Pet.legacy",
    ),
    (
        "reserved-removed",
        pet("string id = 1; reserved 5 to max;"),
        pet("string id = 1; reserved 5 to 100;"),
        P,
        "pets.v1.Pet",
    ),
    # Messages
    ("message-removed", pet(NAME, "message Old {}"), pet(NAME), B, "pets.v1.Old"),
    (
        "message-removed",
        pet(NAME + " message Owner { string id = 1; }"),
        pet(NAME),
        B,
        "pets.v1.Pet.Owner",
    ),
    ("message-added", pet(NAME), pet(NAME, "message New {}"), N, "pets.v1.New"),
    (
        "message-deprecated",
        pet(NAME),
        pet(NAME + " option deprecated = true;"),
        D,
        "pets.v1.Pet",
    ),
    # Enums
    ("enum-removed", pet(NAME, KIND), pet(NAME), B, "pets.v1.Kind"),
    ("enum-added", pet(NAME), pet(NAME, KIND), N, "pets.v1.Kind"),
    (
        "enum-deprecated",
        pet(NAME, KIND),
        pet(NAME, KIND.replace("{", "{ option deprecated = true;")),
        D,
        "pets.v1.Kind",
    ),
    (
        "enum-value-removed",
        pet(NAME, KIND),
        pet(NAME, "enum Kind { KIND_UNSPECIFIED = 0; DOG = 1; }"),
        B,
        "pets.v1.Kind.CAT",
    ),
    (
        "enum-value-removed-reserved",
        pet(NAME, KIND),
        pet(NAME, 'enum Kind { KIND_UNSPECIFIED = 0; DOG = 1; reserved 2; reserved "CAT"; }'),
        N,
        "pets.v1.Kind.CAT",
    ),
    (
        "enum-value-renumbered",
        pet(NAME, KIND),
        pet(NAME, "enum Kind { KIND_UNSPECIFIED = 0; DOG = 1; CAT = 3; }"),
        B,
        "pets.v1.Kind.CAT",
    ),
    (
        "enum-value-renamed",
        pet(NAME, KIND),
        pet(NAME, "enum Kind { KIND_UNSPECIFIED = 0; DOG = 1; KITTEN = 2; }"),
        P,
        "pets.v1.Kind.CAT",
    ),
    (
        "enum-value-added",
        pet(NAME, KIND),
        pet(NAME, "enum Kind { KIND_UNSPECIFIED = 0; DOG = 1; CAT = 2; FISH = 3; }"),
        N,
        "pets.v1.Kind.FISH",
    ),
    (
        "enum-value-deprecated",
        pet(NAME, KIND),
        pet(NAME, "enum Kind { KIND_UNSPECIFIED = 0; DOG = 1; CAT = 2 [deprecated = true]; }"),
        D,
        "pets.v1.Kind.CAT",
    ),
    (
        "reserved-number-reused",
        pet(NAME, "enum Kind { KIND_UNSPECIFIED = 0; reserved 2; }"),
        pet(NAME, "enum Kind { KIND_UNSPECIFIED = 0; reserved 3; CAT = 2; }"),
        B,
        "pets.v1.Kind.CAT",
    ),
    (
        "enum-value-removed",
        pet(NAME + " enum Size { SIZE_UNSPECIFIED = 0; BIG = 1; }"),
        pet(NAME + " enum Size { SIZE_UNSPECIFIED = 0; }"),
        B,
        "pets.v1.Pet.Size.BIG",
    ),
    # Services and methods
    (
        "service-removed",
        pet(NAME, service=SERVICE + " service Admin { rpc Purge (Pet) returns (Pet); }"),
        pet(NAME),
        B,
        "pets.v1.Admin",
    ),
    (
        "service-added",
        pet(NAME),
        pet(NAME, service=SERVICE + " service Admin { rpc Purge (Pet) returns (Pet); }"),
        N,
        "pets.v1.Admin",
    ),
    (
        "service-deprecated",
        pet(NAME),
        pet(NAME, service=SERVICE.replace("{", "{ option deprecated = true;")),
        D,
        "pets.v1.PetService",
    ),
    (
        "rpc-removed",
        pet(NAME, service=SERVICE.replace("}", "rpc Delete (Pet) returns (Pet); }")),
        pet(NAME),
        B,
        "pets.v1.PetService.Delete",
    ),
    (
        "rpc-added",
        pet(NAME),
        pet(NAME, service=SERVICE.replace("}", "rpc Delete (Pet) returns (Pet); }")),
        N,
        "pets.v1.PetService.Delete",
    ),
    (
        "rpc-request-type-changed",
        pet(NAME),
        pet(NAME, service=SERVICE.replace("(GetPetRequest)", "(Pet)")),
        B,
        "pets.v1.PetService.GetPet",
    ),
    (
        "rpc-response-type-changed",
        pet(NAME),
        pet(NAME, service=SERVICE.replace("returns (Pet)", "returns (GetPetRequest)")),
        B,
        "pets.v1.PetService.GetPet",
    ),
    (
        "rpc-client-streaming-changed",
        pet(NAME),
        pet(NAME, service=SERVICE.replace("(GetPetRequest)", "(stream GetPetRequest)")),
        B,
        "pets.v1.PetService.GetPet",
    ),
    (
        "rpc-server-streaming-changed",
        pet(NAME),
        pet(NAME, service=SERVICE.replace("returns (Pet)", "returns (stream Pet)")),
        B,
        "pets.v1.PetService.GetPet",
    ),
    (
        "rpc-idempotency-changed",
        pet(NAME),
        pet(
            NAME,
            service=SERVICE.replace(
                "(Pet);", "(Pet) { option idempotency_level = NO_SIDE_EFFECTS; }"
            ),
        ),
        P,
        "pets.v1.PetService.GetPet",
    ),
    (
        "rpc-deprecated",
        pet(NAME),
        pet(NAME, service=SERVICE.replace("(Pet);", "(Pet) { option deprecated = true; }")),
        D,
        "pets.v1.PetService.GetPet",
    ),
    # The file
    ("package-changed", pet(NAME), pet(NAME, package="pets.v2"), B, "package pets.v1"),
    (
        "syntax-changed",
        pet("optional string id = 1;", syntax="proto2"),
        pet("optional string id = 1;"),
        P,
        "package pets.v1",
    ),
    (
        "file-deprecated",
        pet(NAME),
        pet(NAME, "option deprecated = true;"),
        D,
        "package pets.v1",
    ),
]


@pytest.mark.parametrize(
    ("rule", "base", "revision", "level", "location"),
    RULES,
    ids=[f"{case[0]}-{index}" for index, case in enumerate(RULES)],
)
def test_rule(rule, base, revision, level, location):
    # Given two versions that differ in one place; when compared; then one change says so.
    change = only(base, revision)
    assert (change.rule, change.level, change.location) == (f"protobuf.{rule}", level, location)
    assert change.message


def test_the_same_file_has_no_changes():
    text = pet(NAME + " map<string, Owner> owners = 3; message Owner {}", KIND)
    assert found(text, text) == []


def test_type_references_are_compared_resolved():
    # The same types, written relative, nested and fully qualified.
    base = pet("Owner owner = 1; Pet.Tag tag = 2; message Tag {}", "message Owner {}")
    revision = pet(".pets.v1.Owner owner = 1; Tag tag = 2; message Tag {}", "message Owner {}")
    assert found(base, revision) == []
    # Partly qualified, from the package outwards.
    assert found(base, base.replace("Owner owner", "v1.Owner owner")) == []
    assert found(base, base.replace("Owner owner", "pets.v1.Owner owner")) == []


def test_a_changed_package_is_one_change_and_the_rest_still_compared():
    base = pet(NAME)
    revision = pet("string id = 1;", package="pets.v2")
    rules = sorted(change.rule for change in found(base, revision))
    assert rules == ["protobuf.field-removed", "protobuf.package-changed"]
    (removed,) = [c for c in found(base, revision) if c.rule == "protobuf.field-removed"]
    assert removed.location == "pets.v1.Pet.name"


def test_members_of_a_removed_message_are_not_named_again():
    base = pet(NAME + " message Owner { string id = 1; enum E { E_UNSPECIFIED = 0; } }")
    assert [c.location for c in found(base, pet(NAME))] == ["pets.v1.Pet.Owner"]


def test_a_swap_of_names_between_numbers_is_two_renames():
    base = pet("string a = 1; string b = 2;")
    revision = pet("string b = 1; string a = 2;")
    assert sorted((c.rule, c.location) for c in found(base, revision)) == [
        ("protobuf.field-renamed", "pets.v1.Pet.a"),
        ("protobuf.field-renamed", "pets.v1.Pet.b"),
    ]


def test_compare_end_to_end():
    # Given a revision that removes a method and adds a field; when compared as text
    result = compare(
        "grpc",
        pet(NAME, service=SERVICE.replace("}", "rpc Delete (Pet) returns (Pet); }")),
        pet(NAME + " string tag = 3;"),
    )
    # then the verdict is breaking, with both changes listed worst first.
    assert result.comparable and result.problems == []
    assert result.verdict == "breaking"
    assert [(c["rule"], c["location"]) for c in result.as_dict()["changes"]] == [
        ("protobuf.rpc-removed", "pets.v1.PetService.Delete"),
        ("protobuf.field-added", "pets.v1.Pet.tag"),
    ]


def test_a_file_the_validator_refuses_is_compared_with_its_problem():
    # No service: not a gRPC contract, but a readable .proto file.
    result = compare("grpc", pet(NAME), pet("string id = 1;", service=""))
    assert result.comparable
    assert result.problems == ["The revision: A gRPC contract must declare at least one service."]
    assert {c.rule for c in result.changes} == {
        "protobuf.field-removed",
        "protobuf.service-removed",
    }


def test_a_syntax_error_is_not_comparable():
    result = compare("grpc", pet(NAME), pet("string id = ;"))
    assert not result.comparable
    assert result.verdict == "potentially-breaking"
    assert [c.rule for c in result.changes] == ["could-not-compare"]
    assert "line 4" in result.changes[0].message and "INT_LITERAL" in result.changes[0].message


def test_two_old_fields_joined_in_a_oneof_break():
    # They now exclude each other: a writer setting both loses one.
    base = pet("string email = 1; string phone = 2;")
    revision = pet("oneof contact { string email = 1; string phone = 2; }")
    assert sorted((c.rule, c.level, c.location) for c in found(base, revision)) == [
        ("protobuf.field-oneof-changed", B, "pets.v1.Pet.email"),
        ("protobuf.field-oneof-changed", B, "pets.v1.Pet.phone"),
    ]
