"""Specifications are read as data: YAML timestamps stay strings (real specs, such as the
Wayback Machine's, have unquoted dates in examples), and every refusal says where."""

import pytest
from django.core.exceptions import ValidationError

from catalog.factories import ApiFactory, ApiVersionFactory
from catalog.models import Api
from catalog.specs import load_document, validate_spec

# The shape of archive.org's Wayback Availability API document: unquoted timestamps in
# examples and a date-like version.
WAYBACK = """\
openapi: 3.0.0
info:
  title: Wayback Availability JSON API
  version: 2013-09-05
paths:
  /wayback/available:
    get:
      summary: Closest snapshot of a URL
      parameters:
        - name: timestamp
          in: query
          schema: {type: string}
          example: 20130905
      responses:
        "200":
          description: The closest snapshot
          content:
            application/json:
              schema:
                type: object
                properties:
                  archived_snapshots: {type: object}
              example:
                retrieved: 2013-09-05T02:37:46Z
                day: 2013-09-05
                spaced: 2001-12-14 21:59:43.10 -5
"""


def _refusal(api_type: str, text: str) -> str:
    with pytest.raises(ValidationError) as excinfo:
        validate_spec(api_type, text)
    return excinfo.value.message_dict["spec"][0]


def test_unquoted_timestamps_stay_strings():
    document = load_document(WAYBACK)

    example = document["paths"]["/wayback/available"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["example"]
    assert example == {
        "retrieved": "2013-09-05T02:37:46Z",
        "day": "2013-09-05",
        "spaced": "2001-12-14 21:59:43.10 -5",
    }
    assert document["info"]["version"] == "2013-09-05"
    assert load_document("when: !!timestamp 2024-01-01\n") == {"when": "2024-01-01"}


@pytest.mark.django_db
def test_the_wayback_document_publishes(service):
    api = ApiFactory(provider=service, type=Api.Type.OPENAPI)

    version = ApiVersionFactory(api=api, version="2013-09-05", spec=WAYBACK)

    assert version.summary["operations"] == [
        {"method": "GET", "path": "/wayback/available", "summary": "Closest snapshot of a URL"}
    ]


@pytest.mark.parametrize(
    ("api_type", "text", "location"),
    [
        ("openapi", 'openapi: "3.1.0"\ninfo: {title: [\n', "at line 3, column 1"),
        ("openapi", "a: &x 1\nb: *x\n", "at line 1, column 4"),
        ("openapi", "a: !!set {x, y}\n", "at line 1, column 4"),
        ("openapi", "openapi: 3.1.0\nx: a\x00b\n", "at line 2, column 5"),
        ("openapi", "openapi: 3.1.0\nx-n: " + "9" * 5_000 + "\n", "at line 2, column 6"),
        ("openapi", '{"openapi": "3.1.0",\n"x-n": ' + "9" * 5_000 + "}", "at line 2, column 8"),
        ("openapi", 'openapi: "3.1.0"\ninfo: {title: T}\npaths: {}\n', "at info:"),
        (
            "openapi",
            '{"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {"/a": '
            '{"get": {"responses": {"200": {"description": "ok", "content": {"application/json":'
            ' {"schema": {"$ref": "#/components/schemas/Gone"}}}}}}}}}',
            "at paths//a/get/responses/200/content/application/json/schema:",
        ),
        (
            "asyncapi",
            'asyncapi: "2.6.0"\ninfo: {title: T, version: "1"}\nchannels: [a]\n',
            "at channels",
        ),
        ("graphql", "type Query {\n  a: String\n  a: Int\n}\n", "at line 2, column 3"),
        ("graphql", "type Query {\n  a: Nope\n}\n", "at line 2, column 6"),
        ("graphql", "type Query {\na: String\na: Int\n}\n", "at line 2, column 1"),
    ],
)
def test_every_refusal_says_where(api_type, text, location):
    assert location in _refusal(api_type, text)
