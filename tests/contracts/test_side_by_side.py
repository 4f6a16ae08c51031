"""The compare page's two documents: each change marks the lines it is about, in the base
for a removal, in the revision for an addition, through JSON pointers or names."""

import json

from contracts.diffing import compare
from contracts.sidebyside import side_by_side

from .conftest import SDL_BREAKING, SDL_V1
from .test_openapi_rules import as_yaml, document, ok, operation

BASE = document(
    {
        "/pets": {"get": operation()},
        "/pets/{petId}": {"get": operation(responses={"200": ok({"type": "object"})})},
    }
)
REVISION = document({"/pets": {"get": operation(), "post": operation()}})


def marked(side) -> dict[int, str]:
    return {line.number: line.text for line in side.lines if line and line.levels}


def test_an_openapi_removal_marks_the_removed_block_in_the_base_and_an_addition_the_revision():
    base, revision = as_yaml(BASE), as_yaml(REVISION)
    changes = compare("openapi", base, revision).as_dict()["changes"]
    sides = side_by_side("openapi", base, revision, changes)
    left = marked(sides["left"])
    # GET /pets/{petId} is lines 12-19 (its key and its whole block), nothing of GET /pets
    assert sorted(left) == list(range(12, 20)) and "application/json:" in left[16]
    right = marked(sides["right"])
    assert any("post:" in text for text in right.values())
    removed = next(i for i, c in enumerate(changes) if c["level"] == "breaking")
    assert set(sides["anchors"][removed]) == {"left"}
    level = sides["left"].lines[sides["anchors"][removed]["left"] - 1].levels[0]
    assert level == "breaking"


def test_json_documents_are_located_too():
    base, revision = json.dumps(BASE, indent=2), json.dumps(REVISION, indent=2)
    changes = compare("openapi", base, revision).as_dict()["changes"]
    left = marked(side_by_side("openapi", base, revision, changes)["left"])
    assert any('"application/json"' in text for text in left.values())
    assert not any('"/pets": {' in text for text in left.values())


def test_graphql_changes_are_found_by_type_and_field():
    changes = compare("graphql", SDL_V1, SDL_BREAKING).as_dict()["changes"]
    sides = side_by_side("graphql", SDL_V1, SDL_BREAKING, changes)
    assert sorted(t.strip() for t in marked(sides["left"]).values()) == [
        "pet(id: ID!): Pet", "tag: String",
    ]  # fmt: skip
    assert marked(sides["right"]) == {}


def test_a_long_document_shows_the_marked_lines_with_context_only():
    paths = {f"/p{n}": {"get": operation()} for n in range(400)}
    base = as_yaml(document(paths))
    revision = as_yaml(document({k: v for k, v in paths.items() if k != "/p200"}))
    changes = compare("openapi", base, revision).as_dict()["changes"]
    left = side_by_side("openapi", base, revision, changes)["left"]
    shown = [line for line in left.lines if line]
    assert len(shown) < 60 and None in left.lines
    [first] = [n for n, line in enumerate(shown) if line.levels][:1]
    assert "/p200:" in shown[first - 1].text and "get:" in shown[first].text
