"""API tokens and the sign-in pause in a real browser."""

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_a_token_use_it_and_revoke_it(page, member, service):
    page.sign_in_as(member)
    page.goto("/")
    page.tab.locator(".account-menu summary").click()
    page.tab.get_by_role("link", name="API tokens").click()
    page.tab.get_by_label("Name").fill("laptop")
    page.tab.get_by_label("Scope").select_option("read")
    page.tab.get_by_role("button", name="Create token").click()
    key = page.tab.locator("#new-token-key").inner_text()
    page.screenshot("tokens")

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/services/").status_code == 200

    page.goto("/accounts/tokens/")
    assert key not in page.tab.content()
    page.tab.get_by_role("link", name="Revoke").click()
    page.tab.get_by_role("button", name="Revoke the token").click()
    assert "revoked" in page.tab.locator(".messages").inner_text()
    assert not ApiToken.objects.exists()
    assert client.get("/api/v1/services/").status_code in (401, 403)
    assert page.errors == [] and page.dialogs == []


def test_signing_in_pauses_after_five_wrong_passwords(page, member):
    page.goto("/accounts/login/")
    for attempt in range(5):
        page.tab.get_by_label("Username").fill(member.username)
        page.tab.get_by_label("Password").fill(f"wrong-{attempt}")
        page.tab.get_by_role("button", name="Sign in").click()
        if attempt < 4:
            assert "correct username and password" in page.tab.content()
    assert page.tab.get_by_role("heading", name="Sign-in paused").is_visible()
    page.screenshot("sign-in-paused")

    page.tab.get_by_role("link", name="Back to sign-in").click()
    page.tab.get_by_label("Username").fill(member.username)
    page.tab.get_by_label("Password").fill("keel-password")
    page.tab.get_by_role("button", name="Sign in").click()
    assert page.tab.get_by_role("heading", name="Sign-in paused").is_visible()
