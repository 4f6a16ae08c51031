"""The systems and business domains pages: lists, detail pages with what belongs to each,
create, edit and delete forms that write through the actions (their refusals shown on the
form), and the system shown on service and API pages."""

import pytest
from django.urls import reverse

from catalog.factories import ApiFactory, BusinessDomainFactory, ServiceFactory, SystemFactory
from catalog.models import BusinessDomain, Service, System
from portal.models import ChangeRecord
from teams.factories import TeamFactory
from tests.pages.markup import remove_forms

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(team, service):
    """System shop (payments) in business domain commerce; checkout and its API are in it."""
    commerce = BusinessDomainFactory(slug="commerce", name="Commerce", owner_team=team)
    system = SystemFactory(slug="shop", name="Shop", owner_team=team, business_domain=commerce)
    service.system = system
    service.save()
    ApiFactory(slug="checkout-api", name="Checkout API", provider=service, system=system)
    return system


def _urls():
    return [
        reverse("catalog:system-list"),
        reverse("catalog:system-detail", args=["shop"]),
        reverse("catalog:system-create"),
        reverse("catalog:business-domain-list"),
        reverse("catalog:business-domain-detail", args=["commerce"]),
        reverse("catalog:business-domain-create"),
    ]


def test_every_page_renders_for_a_signed_in_user_and_sends_anonymous_to_sign_in(
    shop, outsider_page, client
):
    for url in _urls():
        assert outsider_page.get(url).status_code == 200, url
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/")


def test_a_systems_page_shows_its_owner_domain_services_and_apis(shop, member_page):
    html = member_page.get(shop.get_absolute_url()).content.decode()

    for link in ["/teams/payments/", "/business-domains/commerce/", "/services/checkout/",
                 "/apis/checkout-api/", "/systems/shop/edit/"]:  # fmt: skip
        assert f'href="{link}"' in html, link


def test_a_business_domains_page_lists_its_systems(shop, member_page):
    html = member_page.get(reverse("catalog:business-domain-detail", args=["commerce"])).content
    assert b'href="/systems/shop/"' in html and b"1 service" in html


def test_service_and_api_pages_link_to_their_system(shop, member_page):
    for url in ["/services/checkout/", "/apis/checkout-api/"]:
        assert b'<a href="/systems/shop/">Shop</a>' in member_page.get(url).content, url


def test_lists_filter_and_sort_with_the_filtersets(shop, member_page):
    SystemFactory(slug="index", name="index", owner_team=TeamFactory(slug="search"))

    by_name = member_page.get(reverse("catalog:system-list"), {"ordering": "-name"})
    by_team = member_page.get(reverse("catalog:system-list"), {"owner_team": "search"})
    services = member_page.get(reverse("catalog:service-list"), {"system": "shop"})

    assert [s.slug for s in by_name.context["object_list"]] == ["shop", "index"]
    assert [s.slug for s in by_team.context["object_list"]] == ["index"]
    assert [s.slug for s in services.context["object_list"]] == ["checkout"]


def test_a_mixed_case_address_redirects_and_an_unknown_one_is_404(shop, member_page):
    moved = member_page.get("/systems/Shop/")
    assert (moved.status_code, moved["Location"]) == (302, "/systems/shop/")
    assert member_page.get("/systems/nothing/").status_code == 404
    assert member_page.get("/business-domains/nothing/edit/").status_code == 404


def test_a_member_creates_a_system_for_their_team_through_the_action(team, member, member_page):
    response = member_page.post(
        reverse("catalog:system-create"),
        {"slug": "shop", "name": "Shop", "owner_team": "payments", "description": ""},
    )

    assert (response.status_code, response["Location"]) == (302, "/systems/shop/")
    record = ChangeRecord.objects.get(object_repr="Shop")
    assert (record.actor, record.interface, record.action) == (member, "ui", "create")


def test_the_create_form_offers_only_teams_one_may_act_for(team, outsider_page):
    form = outsider_page.get(reverse("catalog:business-domain-create")).context["form"]
    assert [t.slug for t in form.fields["owner_team"].queryset] == ["search"]

    refused = outsider_page.post(
        reverse("catalog:business-domain-create"),
        {"slug": "commerce", "name": "Commerce", "owner_team": "payments"},
    )

    assert refused.status_code == 400
    assert "Select a valid choice" in refused.context["form"].errors["owner_team"][0]
    assert not BusinessDomain.objects.exists()


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Not a slug", "is not a valid name"),
        ("shop", "This slug is already taken (slugs are unique regardless of case)."),
    ],
)
def test_the_actions_refusals_are_shown_on_the_form(shop, member_page, slug, message):
    response = member_page.post(
        reverse("catalog:system-create"), {"slug": slug, "name": "X", "owner_team": "payments"}
    )

    assert response.status_code == 400
    assert message in response.context["form"].errors["slug"][0]
    assert System.objects.count() == 1


def test_an_edit_changes_only_what_changed_and_an_outsider_gets_403(
    shop, member_page, outsider_page
):
    url = reverse("catalog:system-edit", args=["shop"])
    assert outsider_page.get(url).status_code == 403
    assert outsider_page.post(url, {"name": "Mine"}).status_code == 403

    saved = member_page.post(
        url, {"name": "The shop", "business_domain": "", "description": shop.description}
    )

    assert saved.status_code == 302
    shop.refresh_from_db()
    assert (shop.name, shop.business_domain) == ("The shop", None)
    update = ChangeRecord.objects.get(action="update", object_repr="The shop")
    assert set(update.changed_fields) == {"name", "business_domain"}


def test_the_service_form_puts_the_service_in_a_system(shop, member_page):
    ledger = ServiceFactory(slug="ledger", owner_team=shop.owner_team)
    page = member_page.get(reverse("catalog:service-edit", args=["ledger"]))
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}

    response = member_page.post(
        reverse("catalog:service-edit", args=["ledger"]), {**data, "system": shop.pk}
    )

    assert response.status_code == 302
    ledger.refresh_from_db()
    assert ledger.system == shop
    update = ChangeRecord.objects.get(action="update", object_repr=ledger.name)
    assert update.changed_fields == ["system"]


def test_delete_asks_first_then_leaves_the_services_and_redirects(shop, lead_page):
    forms = remove_forms(lead_page.get(shop.get_absolute_url()).content.decode())
    (action, fields) = forms[0]
    asked = lead_page.post(action, fields)
    assert '<input type="hidden" name="confirmed" value="yes">' in asked.content.decode()
    assert System.objects.exists()

    done = lead_page.post(action, {**fields, "confirmed": "yes"})

    assert (done.status_code, done["Location"]) == (302, "/systems/")
    assert Service.objects.get(slug="checkout").system is None


def test_only_the_owners_delete_and_only_once_confirmed(team, lead_page, outsider_page):
    domain = BusinessDomainFactory(slug="commerce", owner_team=team)
    SystemFactory(owner_team=team, business_domain=domain)
    url = reverse("catalog:business-domain-delete", args=["commerce"])
    assert outsider_page.post(url, {"confirmed": "yes"}).status_code == 403
    asked = lead_page.get(url).content.decode()
    assert "Delete the business domain" in asked and "Its 1 systems stay" in asked
    assert lead_page.post(url).status_code == 200
    assert BusinessDomain.objects.filter(pk=domain.pk).exists()

    assert lead_page.post(url, {"confirmed": "yes"}).status_code == 302
    assert not BusinessDomain.objects.filter(pk=domain.pk).exists()


@pytest.mark.parametrize("name", ["catalog:system-list", "catalog:business-domain-list"])
def test_list_queries_do_not_grow_with_rows(name, team, member_page, django_assert_max_num_queries):
    def build(n):
        for _ in range(n):
            domain = BusinessDomainFactory(owner_team=TeamFactory())
            SystemFactory(owner_team=TeamFactory(), business_domain=domain)

    build(3)
    with django_assert_max_num_queries(20) as few:
        member_page.get(reverse(name))
    build(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = member_page.get(reverse(name))
    assert len(response.context["object_list"]) == 23


def test_the_navigation_has_systems(member_page):
    assert b'<a href="/systems/">Systems</a>' in member_page.get("/").content
