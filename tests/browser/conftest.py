"""Browser tests: the portal served by pytest-django's live server, driven by Playwright in
Debian's Chromium (``apt-get install chromium``; Playwright's own browser download does not
work on our machines). Without Chromium these tests are skipped locally and fail in CI
(``CI=true``), so CI can never pass without having run them.

Screenshots of the main pages, at laptop and phone widths, go to
``$KEEL_ARTIFACTS_DIR/screenshots`` (default ``artifacts/screenshots``).
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

# Playwright's sync API runs an event loop in this thread; the tests still use the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("KEEL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = Path(os.environ.get("KEEL_ARTIFACTS_DIR", settings.BASE_DIR / "artifacts"))
LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# The header's items (brand, navigation links, search, inbox and account menu) whose middle is
# not on the brand's row: at laptop width there must be none, the header is one row.
OFF_THE_HEADER_ROW = """(() => {
  const middle = e => { const box = e.getBoundingClientRect(); return box.top + box.height / 2; };
  const items = [...document.querySelectorAll('.site-header .bar > *, .main-nav a, .user-menu > *')];
  const row = middle(items[0]);
  return items.filter(e => Math.abs(middle(e) - row) > 4).map(e => e.textContent.trim().slice(0, 30));
})()"""


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives the pages in headless Chromium")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Page:
    """A browser tab on the live server that records every dialog and script error, so a
    test can assert that no injected script ever ran."""

    def __init__(self, context, base_url):
        self.context = context
        self.base_url = base_url
        self.tab = context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.tab.on("dialog", self._dialog)
        self.tab.on("pageerror", lambda error: self.errors.append(str(error)))
        self.tab.set_default_timeout(10_000)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def goto(self, path: str):
        return self.tab.goto(self.base_url + path)

    def sign_in_as(self, user):
        """Sign in by session cookie (the login form has its own test)."""
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        self.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": self.base_url}]
        )

    def screenshot(self, name: str) -> None:
        """Save the page at laptop and phone widths."""
        folder = ARTIFACTS / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        for label, size in (("laptop", LAPTOP), ("phone", PHONE)):
            self.tab.set_viewport_size(size)
            self.tab.wait_for_timeout(250)
            self.tab.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
        self.tab.set_viewport_size(LAPTOP)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=LAPTOP)
    tab = Page(context, live_server.url)
    yield tab
    context.close()
