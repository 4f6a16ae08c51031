"""API specifications are validated for their type, and refusals say what is wrong and where."""

import json
import time

import pytest
from django.core.exceptions import ValidationError

from catalog import actions
from catalog.factories import ApiFactory, ApiVersionFactory, openapi_document
from catalog.models import Api, ApiVersion
from catalog.specs import MAX_NESTING, load_document, validate_spec
from portal.audit import history_for, system_actor
from portal.models import ChangeRecord

OPENAPI_30 = """\
openapi: "3.0.3"
info: {title: Orders, version: "1.0.0"}
paths:
  /orders:
    get:
      responses:
        "200":
          description: A page of orders
"""

OPENAPI_31 = openapi_document("Orders")

ASYNCAPI = """\
asyncapi: "2.6.0"
info: {title: Order events, version: "1.0.0"}
channels:
  order-created:
    subscribe:
      message: {payload: {type: object}}
"""

GRAPHQL = """\
type Query {
  order(id: ID!): Order
}

type Order {
  id: ID!
  total: Float
}
"""

PROTO = """\
syntax = "proto3";
package orders.v1;

service Orders {
  rpc GetOrder (GetOrderRequest) returns (Order);
}

message GetOrderRequest { string id = 1; }
message Order { string id = 1; double total = 2; }
"""

BILLION_LAUGHS = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def _refusal(api_type: str, text: str) -> str:
    with pytest.raises(ValidationError) as excinfo:
        validate_spec(api_type, text)
    messages = excinfo.value.message_dict
    assert list(messages) == ["spec"]
    return messages["spec"][0]


def _openapi(version: str, **overrides) -> str:
    document = {"openapi": version, "info": {"title": "T", "version": "1"}, "paths": {}}
    document.update(overrides)
    return json.dumps(document)


# --- accepted -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("api_type", "text"),
    [
        pytest.param("openapi", OPENAPI_30, id="openapi-3.0-yaml"),
        pytest.param("openapi", OPENAPI_31, id="openapi-3.1-json"),
        pytest.param("openapi", _openapi("3.0.0"), id="openapi-3.0-minimal"),
        pytest.param("asyncapi", ASYNCAPI, id="asyncapi"),
        pytest.param("graphql", GRAPHQL, id="graphql"),
        pytest.param("grpc", PROTO, id="grpc"),
    ],
)
def test_valid_specifications_are_accepted(api_type, text):
    validate_spec(api_type, text)  # no error


# --- OpenAPI --------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_invalid_openapi_names_the_location(version):
    text = _openapi(version, info={"title": "T"})

    message = _refusal("openapi", text)

    assert message.startswith(f"Invalid OpenAPI {version} at info:")
    assert "'version' is a required property" in message


def test_invalid_openapi_deep_in_the_document_names_the_path():
    text = _openapi(
        "3.1.0",
        paths={"/orders": {"get": {"responses": {"200": {"content": {}}}}}},
    )

    message = _refusal("openapi", text)

    assert "at paths//orders/get/responses/200" in message


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            json.dumps({"swagger": "2.0", "info": {"title": "T", "version": "1"}}), id="2.0"
        ),
        pytest.param(_openapi("2.0"), id="openapi-field-2.0"),
        pytest.param(json.dumps({"info": {"title": "T"}}), id="missing"),
    ],
)
def test_swagger_and_unversioned_documents_are_refused(text):
    message = _refusal("openapi", text)

    assert message.startswith("Expected an OpenAPI 3.0 or 3.1 document")


@pytest.mark.parametrize("version", ["3.0", "3.1"])
def test_an_unquoted_yaml_version_is_refused_not_a_crash(version):
    text = f'openapi: {version}\ninfo: {{title: T, version: "1"}}\npaths: {{}}\n'

    message = _refusal("openapi", text)

    assert "at openapi" in message
    assert "must be a string" in message


def test_a_reference_to_nothing_is_refused_not_a_crash():
    schema = {"$ref": "#/components/schemas/Missing"}
    text = _openapi(
        "3.1.0",
        paths={
            "/a": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": schema}},
                        }
                    }
                }
            }
        },
    )

    message = _refusal("openapi", text)

    assert "/components/schemas/Missing" in message
    assert "points to nothing" in message


@pytest.mark.parametrize(
    "ref",
    ["file:///etc/hostname", "https://example.com/schemas.json#/Item", "other.yaml#/Item"],
)
def test_references_outside_the_document_are_refused_before_anything_is_fetched(tmp_path, ref):
    # Resolving them would make the portal read its own files or fetch URLs.
    text = _openapi("3.1.0", components={"schemas": {"Item": {"$ref": ref}}})

    message = _refusal("openapi", text)

    assert message.startswith("Invalid OpenAPI 3.1.0 at components/schemas/Item:")
    assert "only references inside the document" in message


def test_a_local_file_is_never_read_through_a_reference(tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text('{"type": "object", "description": "TOP-SECRET"}')
    text = _openapi("3.1.0", components={"schemas": {"Item": {"$ref": secret.as_uri()}}})

    message = _refusal("openapi", text)

    assert "TOP-SECRET" not in message


# --- AsyncAPI -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('info: {title: T, version: "1"}\n', "the top-level 'asyncapi' field is missing"),
        ('asyncapi: "2.6.0"\ninfo: {title: T}\n', "Invalid AsyncAPI at info"),
        ('asyncapi: "2.6.0"\n', "Invalid AsyncAPI at info"),
        ('asyncapi: "2.6.0"\ninfo: {title: T, version: "1"}\nchannels: []\n', "at channels"),
    ],
)
def test_invalid_asyncapi_is_refused_with_its_location(text, expected):
    assert expected in _refusal("asyncapi", text)


# --- GraphQL --------------------------------------------------------------------------------


def test_a_graphql_syntax_error_names_line_and_column():
    message = _refusal("graphql", "type Query {\n  order(id: ID!: Order\n}\n")

    assert message.startswith("Invalid GraphQL SDL at line 2, column 16: Syntax Error")


def test_an_unknown_graphql_type_names_line_and_column():
    message = _refusal("graphql", "type Query {\n  order: Missing\n}\n")

    assert message == "Invalid GraphQL SDL at line 2, column 10: Unknown type 'Missing'."


def test_a_duplicate_graphql_type_is_refused():
    message = _refusal("graphql", "type Query { a: Int }\ntype Query { b: Int }\n")

    assert "There can be only one type named 'Query'" in message
    assert "at line 1, column 6" in message


# --- gRPC -----------------------------------------------------------------------------------


def test_invalid_protobuf_names_line_and_column():
    text = 'syntax = "proto3";\nmessage Order { string id = ; }\n'

    message = _refusal("grpc", text)

    assert message.startswith("Invalid protobuf at line 2, column 29:")


def test_protobuf_that_is_not_protobuf_is_refused():
    assert _refusal("grpc", "this is not a proto").startswith("Invalid protobuf at line 1")


def test_a_grpc_contract_without_a_service_is_refused():
    text = 'syntax = "proto3";\nmessage Order { string id = 1; }\n'

    assert _refusal("grpc", text) == "A gRPC contract must declare at least one service."


# --- documents in general -------------------------------------------------------------------


@pytest.mark.parametrize("api_type", ["openapi", "asyncapi"])
def test_yaml_anchors_and_aliases_are_refused_quickly(api_type):
    started = time.perf_counter()

    message = _refusal(api_type, BILLION_LAUGHS)

    assert "anchors and aliases" in message
    assert "at line 1, column 4" in message
    assert time.perf_counter() - started < 1


def test_a_lone_anchor_is_refused_too():
    text = 'openapi: &v "3.1.0"\ninfo: {title: T, version: "1"}\npaths: {}\n'

    assert "anchors and aliases" in _refusal("openapi", text)


@pytest.mark.parametrize("api_type", ["openapi", "asyncapi", "graphql", "grpc"])
def test_a_specification_over_the_size_limit_is_refused(settings, api_type):
    settings.KEEL_SPEC_MAX_BYTES = 1_000

    message = _refusal(api_type, "#" + "x" * 1_000)

    assert message == "The specification is larger than the limit of 1,000 bytes."


def test_the_size_limit_counts_bytes_not_characters(settings):
    settings.KEEL_SPEC_MAX_BYTES = 100
    text = "# " + "é" * 60  # 62 characters, 122 bytes

    assert "larger than the limit" in _refusal("openapi", text)


@pytest.mark.parametrize("api_type", ["openapi", "asyncapi", "graphql", "grpc"])
@pytest.mark.parametrize("text", ["", "   \n\t\n"])
def test_an_empty_specification_is_refused(api_type, text):
    assert _refusal(api_type, text) == "The specification is empty."


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("- openapi: 3.1.0\n", id="list"),
        pytest.param("just words", id="scalar"),
        pytest.param("42", id="number"),
        pytest.param("null", id="null"),
    ],
)
@pytest.mark.parametrize("api_type", ["openapi", "asyncapi"])
def test_a_document_that_is_not_a_mapping_is_refused(api_type, text):
    assert _refusal(api_type, text) == (
        "The specification must be a YAML or JSON mapping at the top level."
    )


def test_broken_yaml_names_line_and_column():
    message = _refusal("openapi", 'openapi: "3.1.0"\ninfo: {title: [\n')

    assert message.startswith("Not valid YAML or JSON at line")


def test_yaml_types_json_cannot_hold_are_refused_where_they_stand():
    text = 'openapi: "3.1.0"\ninfo: {title: T, version: "1"}\nx-logo: !!binary aGk=\npaths: {}\n'

    assert _refusal("openapi", text) == (
        "Not valid YAML or JSON at line 3, column 9: "
        "the YAML type 'tag:yaml.org,2002:binary' has no JSON equivalent."
    )


def test_load_document_returns_plain_json_types():
    assert load_document("a: 1\nb: [x, 'y']\n") == {"a": 1, "b": ["x", "y"]}


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 50_000])
def test_absurdly_nested_documents_are_refused_without_harm(depth):
    # 50,000 levels once overflowed libyaml's C stack and killed the process.
    text = '{"openapi": ' + "[" * depth + "]" * depth + "}"

    assert f"nested more than {MAX_NESTING} levels deep" in _refusal("openapi", text)


@pytest.mark.parametrize(
    ("api_type", "text"),
    [
        ("graphql", "type Query { a(x: Int = " + "[" * 3_000 + "]" * 3_000 + "): Int }"),
        ("grpc", 'syntax = "proto3";\nservice S {}\n' + "message M { " * 3_000 + "}" * 3_000),
    ],
)
def test_deep_nesting_in_sdl_and_protobuf_is_refused_not_a_crash(api_type, text):
    assert _refusal(api_type, text) == "The specification is nested too deeply to validate."


# --- through the publish action -------------------------------------------------------------


@pytest.mark.parametrize(
    ("api_type", "good", "bad", "expected"),
    [
        (Api.Type.OPENAPI, OPENAPI_31, _openapi("3.1.0", info={}), "Invalid OpenAPI 3.1.0 at info"),
        (Api.Type.ASYNCAPI, ASYNCAPI, OPENAPI_31, "'asyncapi' field is missing"),
        (Api.Type.GRAPHQL, GRAPHQL, OPENAPI_31, "Invalid GraphQL SDL at line 2"),
        (Api.Type.GRPC, PROTO, GRAPHQL, "Invalid protobuf at line 1"),
    ],
)
def test_publishing_validates_the_spec_for_the_api_type(service, api_type, good, bad, expected):
    api = ApiFactory(provider=service, type=api_type)
    records = ChangeRecord.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        ApiVersionFactory(api=api, version="0.9.0", spec=bad)
    assert expected in excinfo.value.message_dict["spec"][0]
    assert not api.versions.exists()
    assert ChangeRecord.objects.count() == records

    version = ApiVersionFactory(api=api, version="1.0.0", spec=good)
    assert ApiVersion.objects.get(pk=version.pk).spec == good


def test_publishing_records_who_published(service, member):
    api = ApiFactory(provider=service)

    version = actions.publish_api_version(
        api, actor=member, via="api", version="2.0.0", spec=OPENAPI_31
    )
    by_system = actions.publish_api_version(
        api, actor=system_actor(), via="job", version="2.0.1", spec=OPENAPI_31
    )

    assert ApiVersion.objects.get(pk=version.pk).published_by == member
    assert ApiVersion.objects.get(pk=by_system.pk).published_by == system_actor()
    (record,) = history_for(version)
    assert record.actor == member
    assert record.after["version"] == "2.0.0"
    assert record.after["api"] == api.slug
    assert record.after["digest"] == ApiVersion.objects.get(pk=version.pk).digest


def test_the_default_size_limit_is_half_a_megabyte():
    text = "#" + "x" * 500_000

    assert _refusal("openapi", text) == (
        "The specification is larger than the limit of 500,000 bytes."
    )


def _with_default(schema: dict) -> str:
    return json.dumps(
        {
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": {"A": schema}},
        }
    )


def test_a_backtracking_pattern_checks_its_default_in_linear_time():
    # Python's re took a minute for this default (doubling with each "a"); RE2 answers at once.
    spec = _with_default({"type": "string", "pattern": "^(a+)+$", "default": "a" * 40 + "!"})
    with pytest.raises(ValidationError, match=r"does not match '\^\(a\+\)\+\$'"):
        validate_spec("openapi", spec)


def test_property_name_patterns_check_defaults_too():
    schema = {"type": "object", "patternProperties": {"^x-": {"type": "integer"}}}
    with pytest.raises(ValidationError, match="is not of type 'integer'"):
        validate_spec("openapi", _with_default({**schema, "default": {"x-a": "text"}}))


def test_a_pattern_only_a_backtracking_engine_runs_leaves_defaults_unchecked():
    """Lookaround and backreferences have no linear-time matcher: such a default is not
    checked (a default that the backtracking engine would refuse passes)."""
    spec = _with_default({"type": "string", "pattern": "^(?=b)", "default": "a"})
    assert validate_spec("openapi", spec)["components"]["schemas"]["A"]["default"] == "a"


@pytest.mark.parametrize(
    "text, where",
    [
        ('{"openapi": "3.1.0", "info": {"title": "a\\u0000", "version": "1"}, "paths": {}}',
         "info/title"),
        ('openapi: 3.1.0\ninfo: {title: t, version: "1"}\npaths: {"/a\\0": {}}\n', "paths"),
        ('asyncapi: 2.6.0\ninfo: {title: t, version: "1"}\nchannels: {a: {description: "\\0"}}\n',
         "channels/a/description"),
    ],
)  # fmt: skip
def test_a_nul_character_in_a_document_is_refused_with_its_place(text, where):
    api_type = "asyncapi" if text.startswith("asyncapi") else "openapi"
    with pytest.raises(ValidationError, match=f"at {where}: NUL characters are not allowed"):
        validate_spec(api_type, text)


def test_a_nul_character_in_graphql_sdl_is_refused_with_its_place():
    sdl = 'type Query {\n  "a\\u0000" orders: Int\n}\n'
    with pytest.raises(
        ValidationError, match="at line 2, column 3: NUL characters are not allowed"
    ):
        validate_spec("graphql", sdl)


def test_a_schema_pattern_is_a_regex_when_python_compiles_it():
    """jsonschema-rs answers first but is handed Python's format check: a named group in
    ECMA's spelling, which its own engine reads, is refused with jsonschema's message."""
    with pytest.raises(ValidationError, match=r"at pattern: '\(\?<x>a\)' is not a 'regex'"):
        validate_spec("openapi", _with_default({"type": "string", "pattern": "(?<x>a)"}))


def test_jsonschema_decides_where_jsonschema_rs_alone_refuses():
    # jsonschema-rs checks $id as a URI reference; jsonschema (without rfc3987) does not.
    spec = _with_default({"$id": "::: not a uri", "type": "string"})
    assert validate_spec("openapi", spec)["components"]["schemas"]["A"]["$id"] == "::: not a uri"
