"""Large specifications stay cheap for readers: the summary is worked out once at publish
time and stored, the page shows it a page at a time and never parses the document, and the
parsers are bounded."""

import importlib
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog import specs
from catalog.factories import ApiFactory, ApiVersionFactory
from catalog.models import Api, ApiVersion
from tests.pages.conftest import signed_in


def _openapi(paths: int) -> str:
    return json.dumps(
        {
            "openapi": "3.1.0",
            "info": {"title": "Many", "version": "1"},
            "paths": {
                f"/r{i}": {
                    "get": {"summary": f"Read r{i}", "responses": {"200": {"description": "ok"}}}
                }
                for i in range(paths)
            },
        }
    )


@pytest.fixture
def many(service, settings):
    settings.KEEL_SPEC_PAGE_SIZE = 5
    settings.KEEL_SPEC_VIEWER_AUTOSTART_OPERATIONS = 10
    api = ApiFactory(slug="many-api", provider=service, type=Api.Type.OPENAPI)
    ApiVersionFactory(api=api, version="1.0.0", spec=_openapi(12))
    return api


def test_the_summary_is_stored_at_publish_time(many):
    summary = many.versions.get().summary

    assert summary["counts"] == {"paths": 12, "operations": 12, "schemas": 0}
    assert summary["operations"][11] == {"method": "GET", "path": "/r11", "summary": "Read r11"}


def test_the_page_shows_the_stored_summary_a_page_at_a_time(many, member, monkeypatch):
    def no_parsing(*args, **kwargs):
        raise AssertionError("the page parsed the document")

    monkeypatch.setattr(specs, "load_document", no_parsing)
    client = signed_in(member)

    first = client.get(many.get_absolute_url()).content.decode()
    last = client.get(many.get_absolute_url(), {"page": "3"}).content.decode()

    assert "12 operations on 12 paths" in first
    assert "<code>/r4</code>" in first and "<code>/r5</code>" not in first
    assert "Page 1 of 3" in first
    assert "<code>/r10</code>" in last and "<code>/r4</code>" not in last


def test_a_large_document_opens_the_viewer_on_request(many, member, settings):
    client = signed_in(member)
    html = client.get(many.get_absolute_url()).content.decode()
    assert "data-open-viewer" in html and "data-autostart" not in html

    settings.KEEL_SPEC_VIEWER_AUTOSTART_OPERATIONS = 12
    html = client.get(many.get_absolute_url()).content.decode()
    assert "data-autostart" in html and "data-open-viewer" not in html


def test_graphql_types_are_summarised_and_paged(service, member, settings):
    settings.KEEL_SPEC_PAGE_SIZE = 2
    api = ApiFactory(slug="types-api", provider=service, type=Api.Type.GRAPHQL)
    sdl = "type Query { a: A }\n" + "".join(f"type T{i} {{ id: ID! }}\n" for i in range(4))
    ApiVersionFactory(api=api, version="1", spec=sdl + "type A { t: T0 }\n")

    assert api.versions.get().summary["counts"] == {"types": 6}
    html = signed_in(member).get(api.get_absolute_url()).content.decode()
    assert "6 types" in html and "Page 1 of 3" in html


def test_a_graphql_sdl_over_the_token_cap_is_refused_with_its_location(settings):
    settings.KEEL_SPEC_MAX_GRAPHQL_TOKENS = 1_000
    sdl = "type Query {\n" + "a: String\n" * 400 + "}\n"

    with pytest.raises(ValidationError) as excinfo:
        specs.validate_spec("graphql", sdl)

    assert excinfo.value.message_dict["spec"] == [
        "Invalid GraphQL SDL at line 334, column 2: Syntax Error: "
        "Document contains more than 1000 tokens. Parsing aborted."
    ]


def test_duplicate_fields_are_a_400_naming_the_first_duplicate(api_client, member, service):
    api_client.force_authenticate(member)
    created = api_client.post(
        "/api/v1/apis/",
        {"slug": "dups", "name": "Dups", "provider": "checkout", "type": "graphql"},
        format="json",
    )
    assert created.status_code == 201
    sdl = "type Query {\n" + "  a: String\n" * 2_000 + "}\n"

    response = api_client.post(
        "/api/v1/apis/dups/versions/", {"version": "1", "spec": sdl}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["spec"] == [
        "Invalid GraphQL SDL at line 2, column 3: Field 'Query.a' can only be defined once."
    ]


def test_specs_are_not_read_for_the_versions_table(many, member):
    ApiVersionFactory(api=many, version="2.0.0", spec=_openapi(3))

    response = signed_in(member).get(reverse("catalog:api-detail", args=[many.slug]))

    older = response.context["versions"][1]
    assert older.version == "1.0.0"
    assert {"spec", "summary"} <= older.get_deferred_fields()
    assert "summary" in ApiVersion.objects.first().get_deferred_fields()  # anywhere else too


def test_versions_published_before_summaries_get_theirs_from_the_migration(many, settings):
    from django.apps import apps

    migration = importlib.import_module("catalog.migrations.0003_apiversion_summary")
    many.versions.update(summary={})
    settings.KEEL_SPEC_MAX_BYTES = 100  # published under a larger cap than today's

    migration.summarise_published(apps, None)

    assert many.versions.get().summary["counts"]["operations"] == 12


def test_only_small_specs_are_repeated_as_text(service, member, settings):
    api = ApiFactory(slug="proto-api", provider=service, type=Api.Type.GRPC)
    proto = 'syntax = "proto3";\nservice Orders { rpc Get (Req) returns (Req); }\nmessage Req {}\n'
    ApiVersionFactory(api=api, version="1", spec=proto)
    client = signed_in(member)

    assert "service Orders" in client.get(api.get_absolute_url()).content.decode()

    settings.KEEL_SPEC_INLINE_CHARS = 10
    html = client.get(api.get_absolute_url()).content.decode()
    assert "service Orders" not in html and "too large to show here" in html
