"""Lists: the REST filter vocabulary, sorting, pagination, empty states, bounded queries."""

import pytest
from django.urls import reverse

from catalog.factories import ApiFactory, DataDomainFactory, ServiceFactory
from catalog.models import Api, Lifecycle, Service
from teams.factories import MembershipFactory, TeamFactory

from .markup import swapped_text


def names(response):
    return [obj.slug for obj in response.context["object_list"]]


@pytest.mark.django_db
def test_service_list_filters_like_the_rest_api(catalog, member_page):
    ServiceFactory(slug="legacy-billing", lifecycle=Lifecycle.DEPRECATED, tier=4, tags=["billing"])
    url = reverse("catalog:service-list")

    assert names(member_page.get(url, {"owner_team": "payments"})) == ["checkout"]
    assert names(member_page.get(url, {"lifecycle": "deprecated"})) == ["legacy-billing"]
    assert names(member_page.get(url, {"tier": "1"})) == ["storefront"]
    assert names(member_page.get(url, {"tag": "billing"})) == ["legacy-billing"]
    assert names(member_page.get(url, {"domain": "orders"})) == []
    assert names(member_page.get(url, {"q": "store"})) == ["storefront"]
    assert names(member_page.get(url, {"kind": "service", "q": "legacy"})) == ["legacy-billing"]


@pytest.mark.django_db
def test_filters_stay_in_the_url_and_the_form(catalog, member_page):
    response = member_page.get(
        reverse("catalog:service-list"), {"owner_team": "payments", "ordering": "-tier"}
    )
    html = response.content.decode()
    assert '<option value="payments" selected>' in html
    # sort links keep the filters and go back to page one
    assert "owner_team=payments" in html and "ordering=tier" in html


@pytest.mark.django_db
def test_sorting_by_a_column_and_descending(catalog, member_page):
    url = reverse("catalog:service-list")
    assert names(member_page.get(url, {"sort": "tier"})) == ["storefront", "checkout"]
    assert names(member_page.get(url, {"ordering": "-tier"})) == ["checkout", "storefront"]
    nonsense = member_page.get(url, {"ordering": "nonsense"})
    assert names(nonsense) == []  # like any invalid filter: nothing, and why
    assert b"Select a valid choice" in nonsense.content


@pytest.mark.django_db
def test_an_invalid_filter_value_shows_nothing_and_says_why(catalog, member_page):
    response = member_page.get(reverse("catalog:service-list"), {"lifecycle": "retired"})
    assert response.status_code == 200
    assert names(response) == []
    assert b"Select a valid choice" in response.content


@pytest.mark.django_db
def test_pagination_keeps_the_filters(team, member_page):
    for n in range(30):
        ServiceFactory(slug=f"svc-{n:02d}", owner_team=team)
    url = reverse("catalog:service-list")
    first = member_page.get(url, {"owner_team": "payments"})
    assert len(first.context["object_list"]) == 25
    assert "?owner_team=payments&amp;page=2" in first.content.decode()
    second = member_page.get(url, {"owner_team": "payments", "page": 2})
    assert names(second) == [f"svc-{n:02d}" for n in range(25, 30)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "hint"),
    [
        ("catalog:service-list", b"No services registered yet."),
        ("catalog:api-list", b"No APIs registered yet."),
        ("catalog:domain-list", b"No data domains yet."),
    ],
)
def test_empty_lists_say_what_to_do(url_name, hint, member_page):
    Service.objects.all().delete()
    response = member_page.get(reverse(url_name))
    assert hint in response.content


@pytest.mark.django_db
def test_an_empty_filtered_list_offers_to_clear_the_filters(catalog, member_page):
    response = member_page.get(reverse("catalog:service-list"), {"q": "no-such-thing"})
    assert b"Nothing matches these filters." in response.content
    assert b"clear them all" in response.content


@pytest.mark.django_db
def test_team_list_shows_size_against_the_limit(catalog, member_page, settings):
    response = member_page.get(
        reverse("teams:list"),
        {"member": catalog["service"].owner_team.memberships.first().user.username},
    )
    assert names(response) == ["payments"]
    assert b"/ 10" in response.content
    response = member_page.get(reverse("teams:list"), {"sort": "services", "q": "pay"})
    assert names(response) == ["payments"]


@pytest.mark.django_db
def test_api_list_filters_by_type_team_and_provider(catalog, member_page):
    ApiFactory(slug="checkout-events", provider=catalog["service"], type=Api.Type.ASYNCAPI)
    url = reverse("catalog:api-list")
    assert names(member_page.get(url, {"type": "asyncapi"})) == ["checkout-events"]
    assert names(member_page.get(url, {"owner_team": "payments"})) == [
        "checkout-api",
        "checkout-events",
    ]
    assert names(member_page.get(url, {"provider": "storefront"})) == []
    assert names(member_page.get(url, {"sort": "consumers"}))[0] == "checkout-api"


@pytest.mark.django_db
def test_domain_list_filters_by_owner_team(catalog, member_page):
    url = reverse("catalog:domain-list")
    assert names(member_page.get(url, {"owner_team": "payments"})) == ["orders"]
    assert names(member_page.get(url, {"owner_team": "search"})) == []


def grow(n, prefix):
    """Add ``n`` of everything a list shows, each with its own team, tags and domain."""
    for i in range(n):
        team = TeamFactory(slug=f"{prefix}-team-{i}")
        MembershipFactory(team=team)
        service = ServiceFactory(
            slug=f"{prefix}-svc-{i}", owner_team=team, tags=[f"t{i}", "shared"]
        )
        domain = DataDomainFactory(slug=f"{prefix}-dom-{i}", owner_service=service)
        service_with_domain = ServiceFactory(slug=f"{prefix}-svc2-{i}", owner_team=team)
        service_with_domain.data_domain = domain
        service_with_domain.save()
        ApiFactory(slug=f"{prefix}-api-{i}", provider=service)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name", ["catalog:service-list", "catalog:api-list", "catalog:domain-list", "teams:list"]
)
def test_list_queries_do_not_grow_with_rows(url_name, member_page, django_assert_max_num_queries):
    grow(2, "few")
    with django_assert_max_num_queries(15) as few:  # five facets, saved views, unread count
        member_page.get(reverse(url_name))
    grow(12, "many")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = member_page.get(reverse(url_name))
    assert len(response.context["object_list"]) > 10


@pytest.mark.django_db
def test_filter_form_is_made_for_people(catalog, member_page):
    html = member_page.get(
        reverse("catalog:service-list"), {"lifecycle": "production"}
    ).content.decode()
    assert '<label for="id_owner_team">Owner team</label>' in html
    assert "Any team</option>" in html and ">Any</option>" in html
    assert "---------" not in html
    assert '<option value="production" selected>' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "query", "count"),
    [
        ("catalog:service-list", {"owner_team": "payments"}, "1 service"),
        ("catalog:api-list", {"owner_team": "search"}, "0 APIs"),
        ("catalog:domain-list", {"owner_team": "payments"}, "1 domain"),
        ("teams:list", {"q": "pay"}, "1 team"),
    ],
)
def test_the_count_a_filter_swaps_in_is_the_filtered_count(
    url_name, query, count, catalog, member_page
):
    # Given more rows than the filter keeps
    for n in range(3):
        ServiceFactory(slug=f"other-{n}")
    # When the filter form asks for the filtered list (htmx swaps parts of the response in)
    html = member_page.get(reverse(url_name), query).content.decode()
    # Then the count among the swapped parts is the filtered one
    assert count in swapped_text(html)


@pytest.mark.django_db
def test_choice_filters_offer_the_values_left_with_their_counts(catalog, member_page):
    ServiceFactory(slug="pay-python", language="Python", tags=["pci"], tier=1)
    ServiceFactory(slug="pay-go", language="Go", tags=["pci", "edge"], tier=3)
    page = member_page.get(reverse("catalog:service-list"), {"tag": "pci"})
    form = page.context["filter_form"]

    def offered(name):
        return dict(form.fields[name].widget.choices)

    # each facet counts the rows the other filters leave: both pci services...
    assert offered("language") == {"": "Any", "Go": "Go (1)", "Python": "Python (1)"}
    assert offered("tier")["1"].endswith("(1)") and offered("tier")["3"].endswith("(1)")
    # ...while the tag facet itself ignores the chosen tag, so other tags stay offered
    assert offered("tag")["pci"] == "pci (2)" and offered("tag")["edge"] == "edge (1)"
    assert len(page.context["object_list"]) == 2
    html = page.content.decode()
    assert '<option value="pci" selected>pci (2)</option>' in html

    # a chosen value that the other filters leave nothing of is still shown, with 0
    page = member_page.get(reverse("catalog:service-list"), {"tag": "edge", "language": "Python"})
    assert dict(page.context["filter_form"].fields["language"].widget.choices)["Python"] == (
        "Python (0)"
    )
    assert dict(page.context["filter_form"].fields["tag"].widget.choices) == {
        "": "Any",
        "pci": "pci (1)",
    } | {"edge": "edge (0)"}


@pytest.mark.django_db
def test_the_services_list_shows_descriptions(catalog, member_page):
    ServiceFactory(slug="described", description="Sends the invoices " * 20)
    html = member_page.get(reverse("catalog:service-list")).content.decode()
    assert '<th scope="col" class="description">Description</th>' in html
    assert "Sends the invoices Sends" in html and "…" in html
