"""Systems and business domains in GraphQL: found by slug and in connections (filtered and
ordered by the same FilterSets as REST), written by mutations through the actions with the
same refusals, ``system`` on services and APIs, and nested reads whose query count does not
grow with the number of systems."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.factories import ApiFactory, BusinessDomainFactory, ServiceFactory, SystemFactory
from catalog.models import Api, BusinessDomain, Service, System
from portal.models import ChangeRecord
from teams.factories import TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(team, service):
    commerce = BusinessDomainFactory(slug="commerce", name="Commerce", owner_team=team)
    system = SystemFactory(slug="shop", name="Shop", owner_team=team, business_domain=commerce)
    ServiceFactory(slug="cart", name="Cart", owner_team=team, system=system)
    ApiFactory(slug="cart-api", provider=Service.objects.get(slug="cart"), system=system)
    return system


def test_a_system_by_slug_with_its_owner_domain_services_and_apis(member_gql, shop):
    data = member_gql(
        '{ system(slug: "SHOP") { slug ownerTeam { slug } businessDomain { slug systems { slug } }'
        " services { slug system { slug } } apis { slug system { slug } } } }"
    )
    assert data["system"] == {
        "slug": "shop",
        "ownerTeam": {"slug": "payments"},
        "businessDomain": {"slug": "commerce", "systems": [{"slug": "shop"}]},
        "services": [{"slug": "cart", "system": {"slug": "shop"}}],
        "apis": [{"slug": "cart-api", "system": {"slug": "shop"}}],
    }


def test_connections_filter_and_order_like_rest(member_gql, shop):
    SystemFactory(slug="index", name="index", owner_team=TeamFactory(slug="search"))

    data = member_gql(
        '{ all: systems(ordering: "-name") { totalCount edges { node { slug } } }'
        ' searched: systems(ownerTeam: "Search") { edges { node { slug } } }'
        ' inDomain: systems(businessDomain: "commerce") { edges { node { slug } } }'
        ' businessDomains(q: "comm") { totalCount edges { node { slug } } }'
        ' services(system: "shop") { edges { node { slug } } } }'
    )

    assert data["all"]["totalCount"] == 2
    assert [e["node"]["slug"] for e in data["all"]["edges"]] == ["shop", "index"]
    assert [e["node"]["slug"] for e in data["searched"]["edges"]] == ["index"]
    assert [e["node"]["slug"] for e in data["inDomain"]["edges"]] == ["shop"]
    assert data["businessDomains"]["totalCount"] == 1
    assert [e["node"]["slug"] for e in data["services"]["edges"]] == ["cart"]


def test_an_unknown_slug_is_null_and_anonymous_sees_nothing(gql, member_gql, shop):
    assert member_gql('{ system(slug: "gone") { slug } businessDomain(slug: "a b") { slug } }') == {
        "system": None,
        "businessDomain": None,
    }
    gql.client.logout()
    body = gql.post('{ system(slug: "shop") { slug } }').json()
    assert body.get("data", {}).get("system") is None


CREATE = """
mutation($input: CreateSystemInput!) {
  createSystem(input: $input) { system { slug ownerTeam { slug } businessDomain { slug } }
                                errors { field messages } }
}
"""


def test_a_member_creates_a_system_recorded_as_graphql(member_gql, member, team):
    BusinessDomainFactory(slug="commerce", owner_team=team)
    data = member_gql(
        CREATE,
        {"input": {"slug": "shop", "name": "Shop", "ownerTeam": "payments",
                   "businessDomain": "commerce"}},
    )  # fmt: skip

    assert data["createSystem"] == {
        "system": {"slug": "shop", "ownerTeam": {"slug": "payments"},
                   "businessDomain": {"slug": "commerce"}},
        "errors": [],
    }  # fmt: skip
    record = ChangeRecord.objects.get(object_repr="Shop")
    assert (record.actor, record.interface, record.action) == (member, "graphql", "create")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"slug": "Not a slug"}, "slug", "is not a valid name"),
        ({"slug": "shop"}, "slug", "This slug is already taken"),
        ({"ownerTeam": "nobody"}, "ownerTeam", "No team has the slug 'nobody'."),
        ({"businessDomain": "nowhere"}, "businessDomain", "No business domain has the slug"),
    ],
)
def test_refusals_are_field_errors_and_write_nothing(member_gql, shop, fields, field, message):
    before = (System.objects.count(), ChangeRecord.objects.count())
    data = member_gql(
        CREATE, {"input": {"slug": "shop-two", "name": "X", "ownerTeam": "payments", **fields}}
    )

    assert data["createSystem"]["system"] is None
    (error,) = data["createSystem"]["errors"]
    assert error["field"] == field and message in error["messages"][0]
    assert (System.objects.count(), ChangeRecord.objects.count()) == before


def test_an_outsider_is_refused_with_the_actions_sentence(gql, outsider, shop):
    gql.client.force_login(outsider)
    body = gql.post(
        'mutation { updateSystem(input: {slug: "shop", name: "Mine"}) { errors { field } } }'
    ).json()

    assert (
        "Only members of team payments (or staff) may change system shop"
        in (body["errors"][0]["message"])
    )
    assert System.objects.get().name == "Shop"


def test_update_transfer_and_delete_through_mutations(member_gql, shop):
    TeamFactory(slug="sales")
    updated = member_gql(
        'mutation { updateSystem(input: {slug: "shop", businessDomain: null}) '
        "{ system { businessDomain { slug } } errors { messages } } }"
    )
    moved = member_gql(
        'mutation { transferBusinessDomain(input: {slug: "commerce", ownerTeam: "sales"}) '
        "{ businessDomain { ownerTeam { slug } } errors { messages } } }"
    )
    deleted = member_gql(
        'mutation { deleteSystem(input: {slug: "shop"}) { slug errors { messages } } }'
    )

    assert updated["updateSystem"] == {"system": {"businessDomain": None}, "errors": []}
    assert moved["transferBusinessDomain"]["businessDomain"] == {"ownerTeam": {"slug": "sales"}}
    assert deleted["deleteSystem"] == {"slug": "shop", "errors": []}
    assert Service.objects.get(slug="cart").system is None
    assert Api.objects.get(slug="cart-api").system is None
    assert ChangeRecord.objects.filter(interface="graphql").count() == 3 + 2  # cart, cart-api


def test_business_domains_are_created_updated_and_deleted(member_gql):
    created = member_gql(
        'mutation { createBusinessDomain(input: {slug: "finance", name: "Finance", '
        'ownerTeam: "payments"}) { businessDomain { slug } errors { messages } } }'
    )
    updated = member_gql(
        'mutation { updateBusinessDomain(input: {slug: "finance", description: "Money."}) '
        "{ businessDomain { description } errors { messages } } }"
    )
    deleted = member_gql(
        'mutation { deleteBusinessDomain(input: {slug: "FINANCE"}) { slug errors { messages } } }'
    )

    assert created["createBusinessDomain"] == {"businessDomain": {"slug": "finance"}, "errors": []}
    assert updated["updateBusinessDomain"]["businessDomain"] == {"description": "Money."}
    assert deleted["deleteBusinessDomain"]["errors"] == []
    assert not BusinessDomain.objects.exists()


def test_services_and_apis_take_a_system_in_their_inputs(member_gql, shop):
    created = member_gql(
        'mutation { createService(input: {slug: "till", name: "Till", ownerTeam: "payments", '
        'system: "shop"}) { service { system { slug } } errors { messages } } }'
    )
    updated = member_gql(
        'mutation { updateService(input: {slug: "till", system: null}) '
        "{ service { system { slug } } errors { messages } } }"
    )
    api = member_gql(
        'mutation { createApi(input: {slug: "till-api", name: "Till", provider: "till", '
        'type: OPENAPI, system: "shop"}) { api { system { slug } } errors { messages } } }'
    )
    moved = member_gql(
        'mutation { updateApi(input: {slug: "till-api", system: "nowhere"}) '
        "{ api { slug } errors { field messages } } }"
    )

    assert created["createService"]["service"] == {"system": {"slug": "shop"}}
    assert updated["updateService"]["service"] == {"system": None}
    assert api["createApi"]["api"] == {"system": {"slug": "shop"}}
    assert moved["updateApi"] == {
        "api": None,
        "errors": [{"field": "system", "messages": ["No system has the slug 'nowhere'."]}],
    }


NESTED = """
{
  businessDomains(first: 100) { edges { node {
    slug ownerTeam { slug }
    systems { slug ownerTeam { slug } services { slug system { slug } } apis { slug } }
  } } }
}
"""


@pytest.mark.parametrize("size", [2, 20])
def test_nested_reads_cost_the_same_for_few_and_many(gql, staff, team, size, record_property):
    for _ in range(size):
        domain = BusinessDomainFactory(owner_team=team)
        system = SystemFactory(owner_team=TeamFactory(), business_domain=domain)
        service = ServiceFactory(owner_team=system.owner_team, system=system)
        ApiFactory(provider=service, system=system)
    gql.client.force_login(staff)

    with CaptureQueriesContext(connection) as queries:
        data = gql(NESTED)

    nodes = [edge["node"] for edge in data["businessDomains"]["edges"]]
    assert len(nodes) == size
    assert all(len(n["systems"][0]["services"]) == 1 for n in nodes)
    record_property("queries", len(queries))
    # session, user, the page, its teams, systems, their teams, services, their systems, APIs
    assert len(queries) == 9
