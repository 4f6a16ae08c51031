"""Service, API, team and data domain pages: what they show, in a bounded number of queries."""

import pytest
from django.urls import reverse

from catalog.factories import (
    ApiConsumptionFactory,
    ApiFactory,
    ApiVersionFactory,
    DependencyFactory,
    ResourceFactory,
    ServiceFactory,
)
from catalog.models import Api
from teams.factories import MembershipFactory, TeamFactory

ASYNCAPI = """
asyncapi: 3.0.0
info: {title: Order events, version: 1.0.0, description: "Events about **orders**"}
channels:
  orderPlaced:
    address: orders.placed
    messages:
      OrderPlaced:
        payload: {type: object, properties: {order_id: {type: string}}}
operations:
  sendOrderPlaced:
    action: send
    channel: {$ref: '#/channels/orderPlaced'}
"""

SDL = '''
"""The root"""
type Query { order(id: ID!): Order }
type Order { id: ID! total: Float status: Status }
enum Status { OPEN PAID }
'''


@pytest.mark.django_db
def test_service_page_shows_owner_links_apis_dependencies_and_blast_radius(
    catalog, lead, member_page
):
    service, storefront = catalog["service"], catalog["storefront"]
    gateway = ServiceFactory(slug="gateway", owner_team=TeamFactory(slug="edge"))
    DependencyFactory(source=gateway, target_service=storefront)  # gateway → storefront → checkout
    DependencyFactory(source=service, target_service=ServiceFactory(slug="ledger"))

    response = member_page.get(service.get_absolute_url())
    html = response.content.decode()
    team = service.owner_team
    for text in [
        team.name,
        team.chat_channel,
        team.email,
        team.oncall_url,
        lead.username,
        "Checkout API",
        "Orders DB",
        "Orders",
        "ledger",
        "storefront",
        "Blast radius",
    ]:
        assert text in html, text
    blast = response.context["blast"]
    assert {r.service.slug: r.depth for r in blast.dependents} == {"storefront": 1, "gateway": 2}
    assert [t.slug for t in blast.by_team] == ["edge", catalog["web"].slug]
    assert response.context["elements"]["nodes"]
    assert "service-graph-data" in html
    assert "Change history" in html and "create" in html


@pytest.mark.django_db
def test_service_page_links_to_pipeline_or_flags_its_absence(service, member_page):
    html = member_page.get(service.get_absolute_url()).content.decode()
    assert "no pipeline" in html and service.repository_url in html


@pytest.mark.django_db
def test_unknown_slug_is_404(member_page):
    assert member_page.get(reverse("catalog:service-detail", args=["nope"])).status_code == 404
    assert member_page.get(reverse("teams:detail", args=["nope"])).status_code == 404


@pytest.mark.django_db
def test_api_page_shows_provider_consumers_versions_and_a_viewer(catalog, member_page):
    api = catalog["api"]
    ApiVersionFactory(api=api, version="1.1.0")
    response = member_page.get(api.get_absolute_url())
    html = response.content.decode()
    assert "Storefront" in html and "Checkout" in html
    assert "1.0.0" in html and "1.1.0" in html
    assert response.context["selected"].version == "1.1.0"
    assert 'id="swagger-ui"' in html and "swagger-ui-bundle.js" in html
    assert reverse("catalog:api-spec", args=[api.slug, "1.1.0"]) in html
    assert "/items" in html  # operations listed by the server too

    older = member_page.get(api.get_absolute_url(), {"version": "1.0.0"})
    assert older.context["selected"].version == "1.0.0"
    assert member_page.get(api.get_absolute_url(), {"version": "9.9"}).status_code == 404


@pytest.mark.django_db
def test_raw_spec_downloads_as_an_attachment(catalog, member_page):
    url = reverse("catalog:api-spec", args=["checkout-api", "1.0.0"])
    response = member_page.get(url, {"download": "1"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == 'attachment; filename="checkout-api-1.0.0.json"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b'"openapi": "3.1.0"' in response.content
    assert (
        member_page.get(reverse("catalog:api-spec", args=["checkout-api", "2.0"])).status_code
        == 404
    )


@pytest.mark.django_db
def test_asyncapi_and_graphql_specs_are_readable(service, member_page):
    events = ApiFactory(slug="order-events", provider=service, type=Api.Type.ASYNCAPI)
    ApiVersionFactory(api=events, version="1.0.0", spec=ASYNCAPI)
    html = member_page.get(events.get_absolute_url()).content.decode()
    assert "orders.placed" in html and "OrderPlaced" in html and "order_id" in html
    assert "<strong>orders</strong>" in html  # the description's markdown

    graph = ApiFactory(slug="orders-graphql", provider=service, type=Api.Type.GRAPHQL)
    ApiVersionFactory(api=graph, version="1.0.0", spec=SDL)
    html = member_page.get(graph.get_absolute_url()).content.decode()
    assert "order(id: ID!): Order" in html and "OPEN" in html and "enum" in html
    response = member_page.get(reverse("catalog:api-spec", args=["orders-graphql", "1.0.0"]))
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_team_page_shows_members_size_services_apis_and_neighbour_teams(
    catalog, lead, member, member_page
):
    team, web = catalog["service"].owner_team, catalog["web"]
    search = TeamFactory(slug="search-team")
    indexer = ServiceFactory(slug="indexer", owner_team=search)
    DependencyFactory(source=catalog["service"], target_service=indexer)
    response = member_page.get(team.get_absolute_url())
    html = response.content.decode()
    assert lead.username in html and member.username in html and "Lead" in html
    assert response.context["size"] == 2 and "2 of 10" in html
    assert "checkout" in html and "Checkout API" in html
    assert [t.slug for t, _ in response.context["depends_on"]] == ["search-team"]
    assert [t.slug for t, _ in response.context["depended_on_by"]] == [web.slug]
    assert "team-graph-data" in html


@pytest.mark.django_db
def test_domain_page_shows_owner_resources_and_consumers(catalog, member_page):
    response = member_page.get(catalog["domain"].get_absolute_url())
    html = response.content.decode()
    assert "Checkout" in html and "Orders DB" in html
    assert [a.slug for a in response.context["apis"]] == ["checkout-api"]
    assert [c.consumer.slug for c in response.context["consumptions"]] == ["storefront"]


def grow(service, n, prefix):
    """Give ``service`` ``n`` more of everything its pages list."""
    team = service.owner_team
    for i in range(n):
        other_team = TeamFactory(slug=f"{prefix}-t{i}")
        MembershipFactory(team=other_team)
        other = ServiceFactory(slug=f"{prefix}-s{i}", owner_team=other_team, tags=[f"x{i}"])
        DependencyFactory(source=other, target_service=service)
        DependencyFactory(
            source=service,
            target_service=ServiceFactory(slug=f"{prefix}-d{i}", owner_team=other_team),
        )
        api = ApiFactory(slug=f"{prefix}-a{i}", provider=service)
        ApiVersionFactory(api=api, version="1.0.0")
        ApiConsumptionFactory(consumer=other, api=api)
        ApiConsumptionFactory(
            consumer=service, api=ApiFactory(slug=f"{prefix}-b{i}", provider=other)
        )
        ResourceFactory(
            slug=f"{prefix}-r{i}", service=service, data_domain=service.owned_domains.first()
        )
        ServiceFactory(slug=f"{prefix}-own{i}", owner_team=team)
    if n and team.memberships.count() < 8:
        MembershipFactory(team=team)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page",
    ["service", "api", "team", "domain"],
)
def test_detail_queries_do_not_grow_with_rows(
    page, catalog, member_page, django_assert_max_num_queries
):
    service = catalog["service"]
    urls = {
        "service": service.get_absolute_url(),
        "api": catalog["api"].get_absolute_url(),
        "team": service.owner_team.get_absolute_url(),
        "domain": catalog["domain"].get_absolute_url(),
    }
    grow(service, 1, "few")
    with django_assert_max_num_queries(40) as few:
        member_page.get(urls[page])
    grow(service, 8, "many")
    for i in range(8):
        ApiConsumptionFactory(consumer=ServiceFactory(slug=f"many-c{i}"), api=catalog["api"])
        ApiVersionFactory(api=catalog["api"], version=f"2.{i}.0")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = member_page.get(urls[page])
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_core_service_page_summarises_a_large_blast_radius_by_team(
    catalog, member_page, monkeypatch
):
    # Past BLAST_LISTED failing services the page shows a per-team table instead of every
    # service, and only the first DEPENDENTS_SHOWN direct dependents, with the count.
    monkeypatch.setattr("catalog.views.BLAST_LISTED", 1)
    monkeypatch.setattr("catalog.querysets.DEPENDENTS_SHOWN", 1)
    service, storefront = catalog["service"], catalog["storefront"]
    edge = TeamFactory(slug="edge", name="Edge")
    gateway = ServiceFactory(slug="gateway", owner_team=edge)
    DependencyFactory(source=gateway, target_service=storefront)
    DependencyFactory(source=ServiceFactory(slug="admin", owner_team=edge), target_service=service)

    response = member_page.get(service.get_absolute_url())
    html = response.content.decode()

    assert "blast" not in response.context
    impact = {i.team.slug: (i.services, i.direct, i.nearest) for i in response.context["impact"]}
    assert impact == {"edge": (2, 1, 1), catalog["web"].slug: (1, 1, 1)}
    assert "<strong>3</strong> services of <strong>2</strong> teams" in html
    assert "Admin" in html and "The first 1 of 2 by slug" in html
    assert "Storefront</a>" not in html.split('id="dependents-h"')[1].split("</section>")[0]
