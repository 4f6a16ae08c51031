"""403, 404 and 500 are the portal's own pages in every mode: under DEBUG (``make run``, where
Django would show its technical pages) and off it (production)."""

import logging

import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

FAILING = "tests.pages.failing_urls"


def _styled(response, code: int) -> str:
    html = response.content.decode()
    assert response.status_code == code
    assert f'<p class="error-code">{code}</p>' in html
    assert "Traceback" not in html and "technical" not in html.lower()
    return html


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_service_is_the_styled_404_with_the_navigation(debug, member_page):
    with override_settings(DEBUG=debug):
        response = member_page.get(reverse("catalog:service-detail", args=["nope"]))
    html = _styled(response, 404)
    assert 'class="main-nav"' in html and "No Service matches the given query." in html


@pytest.mark.parametrize("debug", [True, False])
def test_an_address_no_route_matches_is_the_styled_404(debug, member_page):
    with override_settings(DEBUG=debug):
        response = member_page.get("/no-such-page/")
    assert "There is nothing at this address." in _styled(response, 404)


@override_settings(DEBUG=True)
def test_under_debug_an_unknown_api_address_still_answers_json(member_page):
    response = member_page.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@override_settings(DEBUG=True)
def test_under_debug_a_refusal_is_the_styled_403(service, outsider_page):
    response = outsider_page.get(reverse("catalog:service-edit", args=[service.slug]))
    assert "Ask a member of the owning team" in _styled(response, 403)


@override_settings(DEBUG=True)
def test_a_missing_static_file_under_debug_is_the_styled_404_with_a_sign_in_link():
    response = Client().get("/static/no-such-file.css")
    html = _styled(response, 404)
    assert 'href="/accounts/login/?next=/static/no-such-file.css"' in html


@pytest.mark.parametrize("debug", [True, False])
def test_a_failing_view_is_the_styled_500_with_its_request_id_and_the_trace_logged(
    debug, member, caplog
):
    client = Client(raise_request_exception=False)
    client.force_login(member)
    with override_settings(DEBUG=debug, ROOT_URLCONF=FAILING), caplog.at_level(logging.ERROR):
        response = client.get("/fail/", HTTP_X_REQUEST_ID="req-500-check")
    html = _styled(response, 500)
    assert "req-500-check" in html
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Internal Server Error: /fail/"
    assert "the view failed on purpose" in str(record.exc_info[1])


@override_settings(DEBUG=True, ROOT_URLCONF=FAILING)
def test_under_debug_the_test_client_still_sees_the_exception(member_page):
    with pytest.raises(RuntimeError, match="on purpose"):
        member_page.get("/fail/")
