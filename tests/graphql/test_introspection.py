"""Introspection and GraphiQL are development aids, off in production (issue 8, point 8);
tools read the committed schema at /graphql/schema.graphql instead."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from accounts.factories import ApiTokenFactory

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = "/graphql/schema.graphql"


@pytest.fixture
def production(settings):
    settings.KEEL_GRAPHQL_INTROSPECTION = False
    settings.KEEL_GRAPHIQL = False


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("{ __schema { queryType { name } } }", "__schema"),
        ('{ __type(name: "Service") { name } }', "__type"),
    ],
)
def test_introspection_off_refuses_schema_queries(member_gql, production, query, field):
    response = member_gql.post(query)
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert body["errors"][0] == {
        "message": "GraphQL introspection has been disabled, but the requested query "
        f"contained the field '{field}'.",
        "locations": [{"line": 1, "column": 3}],
    }


def test_introspection_off_still_answers_typename(member_gql, production, service):
    assert member_gql("{ __typename services { totalCount } }")["__typename"] == "Query"


def test_introspection_on_answers_schema_queries(member_gql, settings):
    settings.KEEL_GRAPHQL_INTROSPECTION = True
    assert member_gql("{ __schema { queryType { name } } }") == {
        "__schema": {"queryType": {"name": "Query"}}
    }


def test_graphiql_off_serves_neither_the_page_nor_its_assets(client, member, production):
    client.force_login(member)
    page = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert page.status_code == 400
    assert page.json()["errors"][0]["message"] == (
        "Must provide query string. The schema is at /graphql/schema.graphql."
    )
    assert client.get("/graphql/graphiql/graphiql.min.js").status_code == 404


@pytest.mark.parametrize(
    ("debug", "overrides", "expected"),
    [
        ("true", {}, "True True"),
        ("false", {}, "False False"),
        ("false", {"KEEL_GRAPHQL_INTROSPECTION": "true", "KEEL_GRAPHIQL": "true"}, "True True"),
    ],
)
def test_both_default_to_debug_and_can_be_set(tmp_path, debug, overrides, expected):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KEEL_GRAPH"))
    }
    environment.update(
        DJANGO_DEBUG=debug,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        KEEL_DATA_DIR=str(tmp_path),
        **overrides,
    )
    code = "from django.conf import settings as s; print(s.KEEL_GRAPHQL_INTROSPECTION, s.KEEL_GRAPHIQL)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1] == expected, result.stderr


def test_the_committed_schema_is_published_to_signed_in_users(client, member, production):
    client.force_login(member)
    response = client.get(SCHEMA)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == (ROOT / "schema.graphql").read_bytes()
    # and a tool holding the same version is told so without the body
    again = client.get(SCHEMA, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_the_schema_needs_a_session_or_a_token(client, member):
    assert client.get(SCHEMA).status_code == 401
    token = ApiTokenFactory(user=member)
    assert client.get(SCHEMA, HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
