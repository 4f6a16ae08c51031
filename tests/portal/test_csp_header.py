"""Every response carries a Content-Security-Policy that allows only the portal's own origin,
and no template relies on what it forbids (inline scripts, styles or event handlers)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from catalog.factories import ApiFactory, ApiVersionFactory

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "worker-src": "'self'",
    "object-src": "'none'",
    "frame-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}


def _directives(header: str) -> dict:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/services/", "/api/v1/services/", "/accounts/login/"])
def test_pages_and_api_responses_carry_the_policy(client, member, path):
    if "login" not in path:
        client.force_login(member)

    response = client.get(path)

    assert response.status_code == 200
    assert _directives(response["Content-Security-Policy"]) == POLICY


@pytest.mark.django_db
def test_a_raw_spec_keeps_its_own_sandbox(client, member, service):
    api = ApiFactory(slug="raw-api", provider=service)
    ApiVersionFactory(api=api, version="1.0.0")
    client.force_login(member)

    response = client.get(reverse("catalog:api-spec", args=["raw-api", "1.0.0"]))

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|<style\b|\sstyle=|\son[a-z]+=",
    re.IGNORECASE,
)


def test_no_template_has_inline_script_style_or_handlers():
    roots = [Path(settings.BASE_DIR) / "templates", Path(settings.BASE_DIR) / "portal"]
    offenders = [
        f"{path}: {match.group(0)}"
        for root in roots
        for path in root.rglob("*.html")
        for match in INLINE.finditer(path.read_text())
    ]
    assert offenders == []


@pytest.mark.django_db
def test_the_policy_built_once_is_django_csps_and_a_view_may_still_change_it(
    client, member, settings
):
    """``portal.csp`` reuses the header only for responses that change nothing about it."""
    from dataclasses import asdict

    from csp.decorators import csp_update
    from csp.middleware import PolicyParts
    from csp.utils import build_policy
    from django.http import HttpResponse
    from django.test import RequestFactory

    from portal.csp import BuiltOnceCSPMiddleware

    client.force_login(member)
    assert client.get("/services/")["Content-Security-Policy"] == build_policy(
        **asdict(PolicyParts())
    )

    view = csp_update({"img-src": "https://img.example"})(lambda request: HttpResponse("x"))
    middleware = BuiltOnceCSPMiddleware(view)
    updated = middleware(RequestFactory().get("/x"))
    assert "https://img.example" in _directives(updated["Content-Security-Policy"])["img-src"]
