"""Placeholders filled from files beside the descriptor or from allowed URLs, and what is
left out (with a problem) when they cannot be."""

import httpx
import pytest
import yaml

from descriptors.fetching import FetchError, make_fetch
from descriptors.places import Place
from descriptors.substitution import substitute
from descriptors.trees import read_tree
from descriptors.yaml_loading import Document


def api(definition, name="pets"):
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "API",
        "metadata": {"name": name},
        "spec": {
            "type": "openapi",
            "lifecycle": "production",
            "owner": "team-a",
            "definition": definition,
        },
    }


def fill(tmp_path, data, files=(), **options):
    for relative, text in dict(files).items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / "apis").mkdir(exist_ok=True)
    place = Place(tmp_path.resolve(), (tmp_path / "apis/catalog-info.yaml").resolve())
    return substitute(Document("apis/catalog-info.yaml", 1, 1, data), place, **options)


def test_text_json_and_yaml_come_from_files_beside_the_descriptor(tmp_path):
    data = {
        "spec": {
            "definition": {"$text": "./openapi.yaml"},
            "j": {"$json": "data.json"},
            "y": [{"$yaml": "../shared/y.yaml"}],
        }
    }
    files = {
        "apis/openapi.yaml": "openapi: 3.0.0\n",
        "apis/data.json": '{"a": [1]}',
        "shared/y.yaml": "- when: 2024-01-01\n",
    }
    filled = fill(tmp_path, data, files)
    assert filled.problems == [] and filled.unresolved == frozenset()
    assert filled.data["spec"] == {
        "definition": "openapi: 3.0.0\n",
        "j": {"a": [1]},
        "y": [[{"when": "2024-01-01"}]],
    }


def test_mappings_with_other_dollar_keys_are_left_alone(tmp_path):
    data = {
        "spec": {
            "schema": {"$ref": "#/definitions/x"},
            "two": {"$text": "a", "other": 1},
            "unknown": {"$env": "HOME"},
        }
    }
    assert fill(tmp_path, data).data == data


def test_openapi_bundles_external_refs_once_and_keeps_cycles_internal(tmp_path):
    files = {
        "apis/openapi.yaml": (
            "openapi: 3.0.0\npaths:\n  /pets:\n    get:\n      responses:\n        '200':\n"
            "          content:\n            application/json:\n              schema:\n"
            "                $ref: './schemas.yaml#/Pet'\n"
            "components:\n  schemas:\n    Pet:\n      $ref: 'schemas.yaml#/Pet'\n    Local:\n      $ref: '#/components/schemas/Pet'\n"
        ),
        "apis/schemas.yaml": "Pet:\n  type: object\n  properties:\n    owner:\n      $ref: '#/Owner'\nOwner:\n  properties:\n    pets:\n      items:\n        $ref: '#/Pet'\n",
    }
    filled = fill(tmp_path, api({"$openapi": "./openapi.yaml"}), files)
    assert filled.problems == []
    bundled = yaml.safe_load(filled.data["spec"]["definition"])
    where = "#/paths/~1pets/get/responses/200/content/application~1json/schema"
    pet = bundled["paths"]["/pets"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    assert pet["type"] == "object"
    assert pet["properties"]["owner"]["properties"]["pets"]["items"] == {"$ref": where}
    assert bundled["components"]["schemas"]["Pet"] == {"$ref": where}
    assert bundled["components"]["schemas"]["Local"] == {"$ref": "#/components/schemas/Pet"}


def test_a_placeholder_that_cannot_be_filled_is_left_out_with_a_problem(tmp_path):
    data = api({"$text": "./missing.yaml"})
    data["spec"]["extra"] = {"$json": "bad.json"}
    filled = fill(tmp_path, data, {"apis/bad.json": "{nope"}, ref="api:pets")
    assert "definition" not in filled.data["spec"] and "extra" not in filled.data["spec"]
    assert filled.unresolved == {"spec.definition", "spec.extra"}
    assert [(p.ref, p.message) for p in filled.problems] == [
        (
            "api:pets",
            "spec.definition: $text ./missing.yaml could not be read: apis/missing.yaml does not exist; the entity is read without it",
        ),
        (
            "api:pets",
            "spec.extra: $json bad.json is not valid JSON: apis/bad.json: Expecting property name enclosed in double quotes: line 1 column 2 (char 1); the entity is read without it",
        ),
    ]


def test_placeholders_stay_inside_the_root(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    filled = fill(root, api({"$text": "../../secret.txt"}))
    assert filled.problems[0].message.startswith(
        'spec.definition: $text ../../secret.txt could not be read: "../../secret.txt" is outside the repository'
    )


def test_an_api_whose_definition_could_not_be_read_is_still_read(tmp_path):
    (tmp_path / "catalog-info.yaml").write_text(
        yaml.safe_dump(api({"$text": "https://specs.example.com/pets.yaml"}))
    )
    reading = read_tree(tmp_path, "catalog-info.yaml")
    [entity] = reading.entities
    assert "definition" not in entity.spec
    assert [p.message for p in reading.problems] == [
        "spec.definition: $text https://specs.example.com/pets.yaml could not be read: https://specs.example.com/pets.yaml is a URL, and this reading fetches nothing (no hosts are allowed); the entity is read without it"
    ]
    assert reading.problems[0].ref == "api:default/pets"


def served(handler):
    return make_fetch(
        ["specs.example.com"], transport=httpx.MockTransport(handler), max_bytes=1000, timeout=2
    )


def test_an_allowed_url_is_fetched(tmp_path):
    fetch = served(lambda request: httpx.Response(200, text=f"spec from {request.url.path}"))
    filled = fill(tmp_path, api({"$text": "https://specs.example.com/pets.yaml"}), fetch=fetch)
    assert filled.problems == [] and filled.data["spec"]["definition"] == "spec from /pets.yaml"


def test_a_redirect_on_the_same_host_is_followed():
    def handler(request):
        if request.url.path == "/old":
            return httpx.Response(301, headers={"location": "/new"})
        return httpx.Response(200, text="moved")

    assert served(handler)("https://specs.example.com/old") == b"moved"


@pytest.mark.parametrize(
    ("url", "handler", "message"),
    [
        (
            "https://other.example.org/x",
            lambda r: httpx.Response(200, text="x"),
            "other.example.org is not an allowed host for reading catalog files",
        ),
        (
            "https://specs.example.com/x",
            lambda r: httpx.Response(302, headers={"location": "https://other.example.org/x"}),
            "https://specs.example.com/x redirects to another host (other.example.org); redirects are followed on the same host only",
        ),
        (
            "https://specs.example.com/x",
            lambda r: httpx.Response(200, content=b"x" * 1001),
            "https://specs.example.com/x is 1001 bytes, more than the limit of 1000",
        ),
        (
            "https://specs.example.com/x",
            lambda r: httpx.Response(200, content=iter([b"x" * 600, b"x" * 600])),
            "https://specs.example.com/x is more than the limit of 1000 bytes",
        ),
        (
            "https://specs.example.com/x",
            lambda r: httpx.Response(302, headers={"location": "http://specs.example.com/x"}),
            "https://specs.example.com/x redirects from https to http; not followed",
        ),
        (
            "https://specs.example.com/x",
            lambda r: httpx.Response(404),
            "https://specs.example.com/x answered HTTP 404",
        ),
        (
            "ftp://specs.example.com/x",
            lambda r: httpx.Response(200),
            "ftp://specs.example.com/x is not an http(s) URL",
        ),
        (
            "https://specs.example.com/x",
            lambda r: httpx.Response(302, headers={"location": "/x"}),
            "https://specs.example.com/x redirects more than 5 times",
        ),
    ],
)
def test_what_is_not_fetched_says_why(url, handler, message):
    with pytest.raises(FetchError) as refused:
        served(handler)(url)
    assert message in str(refused.value)


def test_a_timeout_is_a_problem_for_the_entity(tmp_path):
    def slow(request):
        raise httpx.ReadTimeout("too slow", request=request)

    filled = fill(
        tmp_path, api({"$openapi": "https://specs.example.com/pets.yaml"}), fetch=served(slow)
    )
    assert filled.unresolved == {"spec.definition"}
    assert (
        "https://specs.example.com/pets.yaml did not answer within 2 s"
        in filled.problems[0].message
    )


def test_yaml_placeholders_need_exactly_one_document(tmp_path):
    filled = fill(
        tmp_path, {"spec": {"x": {"$yaml": "two.yaml"}}}, {"apis/two.yaml": "a: 1\n---\nb: 2\n"}
    )
    assert filled.problems[0].message == (
        "spec.x: $yaml two.yaml is not valid YAML: apis/two.yaml should hold exactly one document, and holds 2; the entity is read without it"
    )


def test_openapi_refs_stay_inside_the_root(tmp_path):
    root = tmp_path / "repo"
    (tmp_path / "schemas.yaml").write_text("Pet: {type: object}\n")
    files = {
        "apis/openapi.yaml": "openapi: 3.0.0\ncomponents:\n  schemas:\n    Pet:\n      $ref: '../../schemas.yaml#/Pet'\n"
    }
    filled = fill(root, api({"$openapi": "openapi.yaml"}), files)
    assert filled.unresolved == {"spec.definition"}
    assert (
        '$ref ../../schemas.yaml#/Pet could not be read: "../../schemas.yaml" is outside the repository'
        in filled.problems[0].message
    )


def test_problems_read_as_a_sentence(tmp_path):
    filled = fill(tmp_path, api({"$text": "gone.txt"}), ref="api:default/pets")
    assert str(filled.problems[0]).startswith(
        "apis/catalog-info.yaml document 1 (line 1) api:default/pets: spec.definition: $text gone.txt"
    )


def test_a_chain_of_refs_too_deep_to_bundle_is_a_problem(tmp_path):
    nested = "".join("  " * level + "a:\n" for level in range(60)) + "  " * 60
    files = {f"apis/s{n}.yaml": nested + f"b: {{$ref: 's{n + 1}.yaml'}}\n" for n in range(40)}
    files["apis/openapi.yaml"] = "openapi: 3.0.0\nx: {$ref: 's0.yaml'}\n"
    files["apis/s40.yaml"] = "end: true\n"
    filled = fill(tmp_path, api({"$openapi": "openapi.yaml"}), files)
    assert filled.unresolved == {"spec.definition"}
    assert "nests too deeply once its $refs are bundled" in filled.problems[0].message
