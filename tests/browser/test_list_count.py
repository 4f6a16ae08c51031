"""In a real browser, a filtered list's count changes with its rows (htmx swaps both)."""

import re

import pytest

from catalog.factories import ServiceFactory
from catalog.models import Lifecycle

pytestmark = pytest.mark.browser


def test_filtering_a_list_updates_its_count(page, service, member):
    ServiceFactory(slug="storefront", name="Storefront", lifecycle=Lifecycle.PRODUCTION)
    service.lifecycle = Lifecycle.EXPERIMENTAL
    service.save()
    page.sign_in_as(member)
    page.goto("/services/")
    total = page.tab.locator("#list-total")
    assert total.inner_text() == "2 services"

    page.tab.get_by_label("Lifecycle").select_option("production")
    page.tab.wait_for_url(re.compile(r"lifecycle=production"))
    page.tab.wait_for_function("document.querySelectorAll('#results tbody tr').length === 1")

    page.tab.wait_for_function(
        "document.getElementById('list-total').textContent.trim() === '1 service'"
    )
    assert page.errors == []
