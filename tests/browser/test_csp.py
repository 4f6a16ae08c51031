"""The Content-Security-Policy in a real browser: the main pages, Swagger UI, GraphiQL and the
REST docs work under it without a single violation, and an image a spec's description names on
another host is never requested (it was a tracking pixel)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from catalog.factories import ApiFactory, ApiVersionFactory, openapi_document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's init scripts run outside the page's policy: this one records what it blocks.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def csp_page(page):
    page.context.add_init_script(RECORD_VIOLATIONS)
    page.console = []
    page.tab.on("console", lambda message: page.console.append(message.text))
    return page


def _violations(page) -> list[str]:
    reported = page.tab.evaluate("window.__cspViolations")
    logged = [text for text in page.console if "Content Security Policy" in text]
    return reported + logged


@pytest.fixture
def outside_host():
    """Another origin that counts the requests it gets (the tracking pixel's listener)."""
    hits = []

    class Listener(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/gif")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Listener)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def test_the_main_pages_work_without_a_policy_violation(csp_page, service, member):
    api = ApiFactory(slug="checkout-api", name="Checkout API", provider=service)
    ApiVersionFactory(api=api, version="1.0.0")
    csp_page.sign_in_as(member)
    pages = [
        ("/", "main h1"),
        ("/services/", "#results"),
        ("/services/checkout/", "#service-graph[data-ready=true]"),
        ("/graph/", "#graph[data-ready=true]"),
        ("/apis/checkout-api/", "#swagger-ui[data-ready=true] .opblock"),
        ("/graphql/", ".graphiql-container"),
        ("/api/v1/docs/", ".swagger-ui .opblock"),
    ]
    for path, ready in pages:
        response = csp_page.goto(path)
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        csp_page.tab.wait_for_selector(ready, timeout=20_000)
        assert _violations(csp_page) == [], path
        assert csp_page.errors == [], path


def test_an_outside_image_in_a_spec_description_is_never_requested(
    csp_page, service, member, outside_host
):
    origin, hits = outside_host
    document = json.loads(openapi_document("Tracked"))
    document["info"]["description"] = f"Welcome ![pixel]({origin}/pixel.gif?who=reader)"
    api = ApiFactory(slug="tracked-api", name="Tracked API", provider=service)
    ApiVersionFactory(api=api, version="1.0.0", spec=json.dumps(document))
    csp_page.sign_in_as(member)

    csp_page.goto("/apis/tracked-api/")
    csp_page.tab.wait_for_selector("#swagger-ui[data-ready=true] .info img", state="attached")
    csp_page.tab.wait_for_function("document.querySelector('.info img').complete")

    assert hits == []
    csp_page.tab.wait_for_function("window.__cspViolations.length > 0")
    assert any(v.startswith("img-src") and origin in v for v in _violations(csp_page))


def test_the_admin_works_without_a_policy_violation(csp_page, service, staff):
    staff.is_superuser = True
    staff.save()
    csp_page.sign_in_as(staff)
    for path in (
        "/admin/",
        "/admin/catalog/service/",
        f"/admin/catalog/service/{service.pk}/change/",
    ):
        csp_page.goto(path)
        csp_page.tab.wait_for_selector("#content")
        assert _violations(csp_page) == [], path


def test_a_large_spec_opens_its_viewer_on_request(csp_page, service, member, settings):
    settings.KEEL_SPEC_VIEWER_AUTOSTART_OPERATIONS = 1  # fewer than the sample spec has
    api = ApiFactory(slug="large-api", name="Large API", provider=service)
    ApiVersionFactory(api=api, version="1.0.0")
    csp_page.sign_in_as(member)

    csp_page.goto("/apis/large-api/")
    assert csp_page.tab.locator("#swagger-ui .opblock").count() == 0
    csp_page.tab.get_by_role("button", name="Open the interactive viewer").click()

    csp_page.tab.wait_for_selector("#swagger-ui[data-ready=true] .opblock")
    assert _violations(csp_page) == []
