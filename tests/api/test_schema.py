"""The OpenAPI document and the interactive docs, which must work without the internet."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from openapi_spec_validator import validate


def test_the_schema_is_a_valid_openapi_document_with_every_collection(member_client):
    response = member_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    validate(document)
    for path in [
        "/api/v1/teams/{team_slug}/members/{username}/",
        "/api/v1/services/{slug}/transfer/",
        "/api/v1/services/{slug}/blast-radius/",
        "/api/v1/apis/{api_slug}/versions/{version}/spec/",
        "/api/v1/dependencies/{id}/history/",
        "/api/v1/graph/cycles/",
        "/api/v1/systems/{slug}/transfer/",
        "/api/v1/business-domains/{slug}/history/",
    ]:
        assert path in document["paths"]


def test_schema_generation_has_no_warnings(tmp_path):
    # --fail-on-warn turns every drf-spectacular warning into a SystemExit
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert "/api/v1/services/" in (tmp_path / "schema.yaml").read_text()


def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(member_client):
    response = member_client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in a for a in assets)
    assert all(not a.startswith(("http:", "https:", "//")) for a in assets), assets
    # no CDN address anywhere (a random CSRF token may hold the letters "cdn")
    assert not re.search(r"cdn\.|jsdelivr|unpkg", html.lower())
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{asset}")


def test_the_schema_needs_a_signed_in_user(anon_client):
    assert anon_client.get("/api/v1/schema/").status_code == 401


def test_the_docs_page_sends_a_signed_out_browser_to_sign_in_and_back(anon_client):
    response = anon_client.get("/api/v1/docs/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/v1/docs/"


@pytest.mark.django_db
def test_the_docs_page_with_a_bad_token_is_refused_not_redirected(anon_client):
    response = anon_client.get("/api/v1/docs/", HTTP_AUTHORIZATION="Token nope")
    assert response.status_code == 401
