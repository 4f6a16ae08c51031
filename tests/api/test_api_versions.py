"""Publishing and reading API versions: validated specs in, metadata and raw text out."""

import pytest

from catalog.factories import openapi_document
from catalog.models import ApiVersion
from tests.api.conftest import db_state

VERSIONS = "/api/v1/apis/checkout-api/versions/"


def test_publishing_validates_and_returns_metadata_with_the_spec(world, client_for):
    spec = openapi_document("Checkout", "2.0.0")
    response = client_for(world.member).post(
        VERSIONS, {"version": "2.0.0", "spec": spec}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["version"], body["published_by"], body["spec"]) == (
        "2.0.0",
        world.member.username,
        spec,
    )
    assert len(body["digest"]) == 64


def test_the_list_leaves_the_spec_text_out(world, client_for):
    body = client_for(world.outsider).get(VERSIONS).json()
    assert [v["version"] for v in body["results"]] == ["1.0.0"]
    assert "spec" not in body["results"][0]


def test_one_version_returns_metadata_and_spec(world, client_for):
    body = client_for(world.outsider).get(f"{VERSIONS}1.0.0/").json()
    assert body["spec"] == ApiVersion.objects.get(api=world.api).spec
    assert body["digest"]


@pytest.mark.parametrize("accept", ["*/*", "text/plain"])
def test_the_raw_spec_downloads_as_text(accept, world, client_for):
    response = client_for(world.outsider).get(f"{VERSIONS}1.0.0/spec/", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == ApiVersion.objects.get(api=world.api).spec


def test_a_version_is_published_once(world, client_for):
    before = db_state()
    response = client_for(world.member).post(
        VERSIONS, {"version": "1.0.0", "spec": openapi_document("Again")}, format="json"
    )
    assert response.status_code == 400
    assert "already published" in response.json()["version"][0]
    assert db_state() == before


INVALID_SPECS = {
    "not OpenAPI": '{"swagger": "2.0"}',
    "invalid OpenAPI": '{"openapi": "3.1.0", "info": {"title": "t"}, "paths": {}}',
    "YAML alias": "openapi: 3.1.0\ninfo: &i {title: t, version: '1'}\nx: *i\npaths: {}\n",
    "billion laughs": "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n",
    "not YAML": "openapi: [3.1.0\n",
    "a list": "- openapi\n",
    "empty": "   \n",
    "deep nesting": "[" * 5000 + "]" * 5000,
}


@pytest.mark.parametrize("spec", INVALID_SPECS.values(), ids=INVALID_SPECS.keys())
def test_an_invalid_spec_is_refused_with_the_reason(spec, world, client_for):
    before = db_state()
    response = client_for(world.member).post(
        VERSIONS, {"version": "2.0.0", "spec": spec}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["spec"][0]
    assert db_state() == before


def test_a_spec_over_the_size_limit_is_refused(world, client_for, settings):
    settings.KEEL_SPEC_MAX_BYTES = 1_000
    spec = openapi_document("Big " * 500)
    response = client_for(world.member).post(
        VERSIONS, {"version": "2.0.0", "spec": spec}, format="json"
    )
    assert response.status_code == 400
    assert "larger than the limit" in response.json()["spec"][0]


@pytest.mark.parametrize(
    ("api_type", "good", "bad"),
    [
        ("graphql", "type Query { hello: String }", "type Query { hello: Strin }"),
        ("grpc", 'syntax = "proto3"; service Hello { }', "service {"),
        (
            "asyncapi",
            '{"asyncapi": "3.0.0", "info": {"title": "t", "version": "1"}}',
            '{"asyncapi": "3.0.0"}',
        ),
    ],
)
def test_each_api_type_has_its_own_validator(api_type, good, bad, world, client_for):
    client = client_for(world.member)
    created = client.post(
        "/api/v1/apis/",
        {"slug": "typed", "name": "Typed", "provider": "checkout", "type": api_type},
        format="json",
    )
    assert created.status_code == 201
    url = "/api/v1/apis/typed/versions/"
    assert client.post(url, {"version": "1", "spec": bad}, format="json").status_code == 400
    assert client.post(url, {"version": "1", "spec": good}, format="json").status_code == 201


def test_a_spec_is_checked_against_its_apis_type(world, client_for):
    # given an OpenAPI contract, when a GraphQL schema is published under it
    response = client_for(world.member).post(
        VERSIONS, {"version": "2.0.0", "spec": "type Query { a: String }"}, format="json"
    )
    assert response.status_code == 400
    assert "spec" in response.json()


def test_a_spec_with_a_huge_number_is_a_400(world, client_for):
    spec = '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "x-n": %s}'
    response = client_for(world.member).post(
        VERSIONS, {"version": "2.0.0", "spec": spec % ("9" * 5000)}, format="json"
    )
    assert response.status_code == 400
