import pytest

from catalog.factories import (
    ApiConsumptionFactory,
    ApiFactory,
    ApiVersionFactory,
    DataDomainFactory,
    DependencyFactory,
    ResourceFactory,
    ServiceFactory,
)
from catalog.models import Service
from teams.factories import MembershipFactory, TeamFactory


def _slugs(connection) -> list[str]:
    return [edge["node"]["slug"] for edge in connection["edges"]]


@pytest.fixture
def catalog(team, outsider):
    """checkout (payments, tier 1, production) → billing (search) → ledger (search)."""
    search = outsider.teams.get()
    checkout = ServiceFactory(
        slug="checkout", owner_team=team, tier=1, lifecycle="production", tags=["pci"]
    )
    billing = ServiceFactory(slug="billing", owner_team=search, kind="worker")
    ledger = ServiceFactory(slug="ledger", owner_team=search, description="Money in and out")
    DependencyFactory(source=checkout, target_service=billing)
    DependencyFactory(source=billing, target_service=ledger)
    return {"checkout": checkout, "billing": billing, "ledger": ledger}


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ("first: 10", ["billing", "checkout", "ledger"]),
        ('ownerTeam: "payments"', ["checkout"]),
        ('ownerTeam: "Payments"', ["checkout"]),
        ("lifecycle: PRODUCTION", ["checkout"]),
        ("tier: 1", ["checkout"]),
        ("kind: WORKER", ["billing"]),
        ('tag: "pci"', ["checkout"]),
        ('q: "money"', ["ledger"]),
        ('ownerTeam: "search", first: 1', ["billing"]),
        ('ordering: "-slug"', ["ledger", "checkout", "billing"]),
        ('ordering: "tier,slug"', ["checkout", "billing", "ledger"]),
    ],
)
def test_services_take_the_same_filters_as_rest(member_gql, catalog, arguments, expected):
    query = f"{{ services({arguments}) {{ edges {{ node {{ slug }} }} }} }}"
    assert _slugs(member_gql(query)["services"]) == expected


def test_a_filter_value_outside_its_choices_is_an_error_not_a_crash(member_gql, catalog):
    response = member_gql.post("{ services(lifecycle: SUNSET) { totalCount } }")
    assert response.status_code == 400
    assert "SUNSET" in response.json()["errors"][0]["message"]


def test_an_unknown_ordering_is_an_error_naming_the_argument(member_gql, catalog):
    response = member_gql.post('{ services(ordering: "password") { totalCount } }')
    body = response.json()
    assert body["data"]["services"] is None
    assert "ordering" in body["errors"][0]["message"]


def test_services_page_with_cursors_and_count_across_pages(member_gql, catalog):
    first = member_gql(
        "{ services(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { slug } } } }"
    )
    page = first["services"]
    assert (page["totalCount"], page["pageInfo"]["hasNextPage"]) == (3, True)
    after = page["pageInfo"]["endCursor"]
    second = member_gql(
        f'{{ services(first: 2, after: "{after}") {{ edges {{ node {{ slug }} }} }} }}'
    )
    assert _slugs(second["services"]) == ["ledger"]


def test_one_service_by_slug_and_null_for_an_unknown_slug(member_gql, catalog):
    data = member_gql(
        '{ a: service(slug: "checkout") { name tier lifecycle kind tags } b: service(slug: "nope") { slug } }'
    )
    assert data["a"] == {
        "name": "Checkout", "tier": 1, "lifecycle": "PRODUCTION", "kind": "SERVICE", "tags": ["pci"]
    }  # fmt: skip
    assert data["b"] is None


def test_service_owner_team_and_its_members(member_gql, member, lead, catalog):
    data = member_gql(
        '{ service(slug: "checkout") { ownerTeam { slug members { role user { username } } } } }'
    )
    team = data["service"]["ownerTeam"]
    assert team["slug"] == "payments"
    assert {(m["user"]["username"], m["role"]) for m in team["members"]} == {
        (member.username, "MEMBER"),
        (lead.username, "LEAD"),
    }


def test_direct_and_transitive_dependencies_and_dependents(member_gql, catalog):
    data = member_gql("""{
      checkout: service(slug: "checkout") {
        direct: dependencies { depth service { slug } }
        all: dependencies(transitive: true) { depth service { slug } }
        one: dependencies(transitive: true, maxDepth: 1) { service { slug } }
      }
      ledger: service(slug: "ledger") {
        dependents { service { slug } }
        everyone: dependents(transitive: true) { depth service { slug } }
      }
    }""")
    checkout, ledger = data["checkout"], data["ledger"]
    assert checkout["direct"] == [{"depth": 1, "service": {"slug": "billing"}}]
    assert checkout["all"] == [
        {"depth": 1, "service": {"slug": "billing"}},
        {"depth": 2, "service": {"slug": "ledger"}},
    ]
    assert checkout["one"] == [{"service": {"slug": "billing"}}]
    assert ledger["dependents"] == [{"service": {"slug": "billing"}}]
    assert [(r["depth"], r["service"]["slug"]) for r in ledger["everyone"]] == [
        (1, "billing"),
        (2, "checkout"),
    ]


def test_blast_radius_groups_dependents_by_team(member_gql, catalog):
    data = member_gql(
        '{ service(slug: "ledger") { blastRadius { total direct teams { team { slug } services { depth service { slug } } } } } }'
    )
    radius = data["service"]["blastRadius"]
    assert (radius["total"], radius["direct"]) == (2, 1)
    assert radius["teams"] == [
        {"team": {"slug": "payments"}, "services": [{"depth": 2, "service": {"slug": "checkout"}}]},
        {"team": {"slug": "search"}, "services": [{"depth": 1, "service": {"slug": "billing"}}]},
    ]


def test_dependency_cycles(member_gql, catalog):
    # given a loop ledger → checkout closing checkout → billing → ledger
    DependencyFactory(source=catalog["ledger"], target_service=catalog["checkout"])
    data = member_gql("{ dependencyCycles { services { slug } path { slug } } }")
    (cycle,) = data["dependencyCycles"]
    assert [s["slug"] for s in cycle["services"]] == ["billing", "checkout", "ledger"]
    assert cycle["path"][0] == cycle["path"][-1] and len(cycle["path"]) == 4


def test_apis_with_versions_provider_and_consumers(member_gql, catalog):
    api = ApiFactory(slug="payments-api", provider=catalog["checkout"])
    version = ApiVersionFactory(api=api, version="1.0.0")
    ApiConsumptionFactory(consumer=catalog["billing"], api=api)
    data = member_gql("""{
      api(slug: "payments-api") {
        type provider { slug ownerTeam { slug } }
        versions { version digest publishedAt spec publishedBy { username } }
        consumers { slug }
      }
      apis(provider: "checkout") { totalCount }
      service(slug: "billing") { consumedApis { slug provider { slug } } }
    }""")
    got = data["api"]
    assert got["type"] == "OPENAPI"
    assert got["provider"] == {"slug": "checkout", "ownerTeam": {"slug": "payments"}}
    assert got["versions"][0]["version"] == "1.0.0"
    assert got["versions"][0]["digest"] == version.digest
    assert got["versions"][0]["spec"] == version.spec
    assert got["versions"][0]["publishedBy"] == {"username": "keel-system"}
    assert got["consumers"] == [{"slug": "billing"}]
    assert data["apis"]["totalCount"] == 1
    assert data["service"]["consumedApis"] == [
        {"slug": "payments-api", "provider": {"slug": "checkout"}}
    ]


def test_domain_owner_service_and_resources(member_gql, catalog):
    domain = DataDomainFactory(slug="payments-data", owner_service=catalog["checkout"])
    ResourceFactory(slug="payments-db", service=catalog["checkout"], data_domain=domain)
    data = member_gql("""{
      domain(slug: "payments-data") {
        ownerService { slug resources { slug kind } ownedDomains { slug } }
        resources { slug dataDomain { slug } }
      }
      domains(ownerTeam: "payments") { edges { node { slug } } }
    }""")
    owner = data["domain"]["ownerService"]
    assert owner == {
        "slug": "checkout",
        "resources": [{"slug": "payments-db", "kind": "DATABASE"}],
        "ownedDomains": [{"slug": "payments-data"}],
    }
    assert data["domain"]["resources"] == [
        {"slug": "payments-db", "dataDomain": {"slug": "payments-data"}}
    ]
    assert _slugs(data["domains"]) == ["payments-data"]


def test_teams_with_services_members_and_filters(member_gql, member, catalog):
    TeamFactory(slug="platform")
    data = member_gql(f"""{{
      team(slug: "search") {{ services {{ slug }} }}
      teams(member: "{member.username}") {{ edges {{ node {{ slug members {{ user {{ username }} }} }} }} }}
      all: teams {{ totalCount }}
    }}""")
    assert [s["slug"] for s in data["team"]["services"]] == ["billing", "ledger"]
    assert _slugs(data["teams"]) == ["payments"]
    assert data["all"]["totalCount"] == 3


def test_a_dependency_on_a_resource_counts_as_one_on_its_service(member_gql, catalog):
    database = ResourceFactory(slug="ledger-db", service=catalog["ledger"])
    checkout = catalog["checkout"]
    DependencyFactory(source=checkout, target_service=None, target_resource=database)
    data = member_gql(
        '{ service(slug: "checkout") { dependencyEdges { targetService { slug } targetResource { slug } } dependencies { service { slug } } } }'
    )
    edges = data["service"]["dependencyEdges"]
    assert {"targetService": None, "targetResource": {"slug": "ledger-db"}} in edges
    assert {r["service"]["slug"] for r in data["service"]["dependencies"]} == {"billing", "ledger"}


def test_inactive_users_are_refused(gql, member, catalog):
    member.is_active = False
    member.save()
    gql.client.force_login(member)
    assert gql.post("{ services { totalCount } }").status_code == 401
    assert Service.objects.count() == 3


def test_every_choice_filter_argument_is_typed_as_the_field_it_filters():
    """No connection takes a choice as free text: its argument is the output's enum (or Int)."""
    from django_filters import ChoiceFilter, OrderingFilter, TypedChoiceFilter
    from graphene.utils.str_converters import to_camel_case

    from catalog.graphql.queries import CatalogQuery
    from portal.graphql.schema import schema
    from teams.graphql.queries import TeamsQuery

    root = schema.graphql_schema.query_type.fields
    checked = []
    for query in (CatalogQuery, TeamsQuery):
        for name, field in query._meta.fields.items():
            filterset = getattr(field, "filterset_class", None)
            for arg, filter_ in (filterset.base_filters if filterset else {}).items():
                if isinstance(filter_, ChoiceFilter | TypedChoiceFilter) and not isinstance(
                    filter_, OrderingFilter
                ):
                    typed = root[to_camel_case(name)].args[to_camel_case(arg)].type
                    checked.append((name, arg, str(typed)))
    assert checked and all(typed != "String" for _, _, typed in checked), checked
    assert ("services", "lifecycle", "Lifecycle") in checked


def test_each_teams_members_keep_their_order_leads_first_then_by_name(member_gql):
    # The loader reads the members of many teams at once; each team's list keeps the
    # membership ordering (role, then username) whatever order the teams come in.
    teams = [TeamFactory(slug=slug) for slug in ("b-team", "a-team")]
    for team in teams:
        for username, role in (("zed", "member"), ("amy", "member"), ("max", "lead")):
            MembershipFactory(team=team, role=role, user__username=f"{username}-{team.slug}")

    data = member_gql("{ teams { edges { node { slug members { role user { username } } } } } }")

    nodes = [edge["node"] for edge in data["teams"]["edges"] if edge["node"]["slug"] != "payments"]
    assert len(nodes) == 2
    for node in nodes:
        slug, members = node["slug"], node["members"]
        assert [(m["role"], m["user"]["username"]) for m in members] == [
            ("LEAD", f"max-{slug}"),
            ("MEMBER", f"amy-{slug}"),
            ("MEMBER", f"zed-{slug}"),
        ]
