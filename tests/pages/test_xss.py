"""Content from users is rendered safely: markdown is sanitised, everything else escaped."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from catalog.factories import ApiFactory, ServiceFactory
from portal.templatetags.keel import render_markdown
from teams.factories import TeamFactory

PAYLOADS = [
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">link</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="alert(1)"></svg>',
    '"><script>alert(2)</script>',
]
DESCRIPTION = (
    "## Heading\n\nSome **bold** text and a [good link](https://example.com).\n\n"
    + "\n\n".join(PAYLOADS)
)


class ActiveContent(HTMLParser):
    """Collects what a browser would run: scripts, event handlers, javascript: URLs, frames."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not (
            attributes.get("src", "").startswith("/static/")
            or attributes.get("type") == "application/json"
        ):
            self.found.append(f"script {attributes}")
        if tag in {"iframe", "svg", "object", "embed", "img"}:
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"{tag} {name}={value}")


def assert_inert(html: str) -> None:
    parser = ActiveContent()
    parser.feed(html)
    assert parser.found == []
    assert "<script>alert" not in html.lower()


def test_markdown_keeps_formatting_and_drops_anything_active():
    html = render_markdown(DESCRIPTION)
    assert "<h2>Heading</h2>" in html and "<strong>bold</strong>" in html
    assert 'href="https://example.com"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert_inert(html)


@pytest.mark.django_db
def test_payloads_in_names_and_descriptions_are_inert_on_every_page(team, member_page):
    evil = PAYLOADS[0] + PAYLOADS[1]
    service = ServiceFactory(slug="evil", name=evil[:200], description=DESCRIPTION, owner_team=team)
    ApiFactory(slug="evil-api", name=evil[:200], description=DESCRIPTION, provider=service)
    TeamFactory(slug="evil-team", name=evil[:200], description=DESCRIPTION)
    urls = [
        reverse("overview"),
        reverse("catalog:service-list"),
        service.get_absolute_url(),
        reverse("catalog:api-list"),
        reverse("catalog:api-detail", args=["evil-api"]),
        reverse("teams:list"),
        reverse("teams:detail", args=["evil-team"]),
        reverse("graph"),
        reverse("search") + "?q=" + "script",
        reverse("search") + "?q=%3Cscript%3Ealert(1)%3C/script%3E",
        reverse("catalog:service-edit", args=["evil"]),
    ]
    for url in urls:
        response = member_page.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode())
    html = member_page.get(service.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in html  # the name, escaped
    assert "\\u003Cscript\\u003E" in html  # and escaped inside the graph's JSON
