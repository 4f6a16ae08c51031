"""A nested query costs the same number of SQL queries for few services as for many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql import get_named_type, is_leaf_type

from catalog.models import (
    Api,
    ApiConsumption,
    ApiVersion,
    DataDomain,
    Dependency,
    Resource,
    Service,
    Tag,
)
from portal.graphql.schema import schema
from teams.factories import MembershipFactory, TeamFactory
from teams.models import Membership, Team

NESTED = """
{
  services(first: 500) {
    totalCount
    edges { node {
      slug tags
      ownerTeam { slug members { role user { username } } }
      providedApis { slug consumers { slug ownerTeam { slug } } }
      dependencies { depth service { slug } }
      dependents { depth service { slug ownerTeam { slug } } }
      dependencyEdges { kind targetService { slug } }
    } }
  }
}
"""


def _catalog(size: int) -> None:
    """``size`` services in teams of five with two members each; every service provides an
    API, consumes its predecessor's API and so depends on it, and carries two tags.

    Teams and members come from the factories; the rest is written in bulk, because creating
    200 services through the actions would make this setup slow.
    """
    teams = [TeamFactory() for _ in range(max(1, size // 5))]
    for team in teams:
        MembershipFactory.create_batch(2, team=team)
    services = Service.objects.bulk_create(
        Service(slug=f"svc-{n}", name=f"Service {n}", owner_team=teams[n % len(teams)])
        for n in range(size)
    )
    tags = Tag.objects.bulk_create(Tag(name=name) for name in ("core", "edge"))
    Service.tags.through.objects.bulk_create(
        Service.tags.through(service=service, tag=tag) for service in services for tag in tags
    )
    apis = Api.objects.bulk_create(
        Api(provider=service, slug=f"{service.slug}-api", name=service.name, type=Api.Type.OPENAPI)
        for service in services
    )
    ApiConsumption.objects.bulk_create(
        ApiConsumption(consumer=consumer, api=api)
        for consumer, api in zip(services[1:], apis[:-1], strict=True)
    )
    Dependency.objects.bulk_create(
        Dependency(source=source, target_service=target)
        for source, target in zip(services[1:], services[:-1], strict=True)
    )


def _count(gql) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        data = gql(NESTED)
    return len(queries), data


@pytest.fixture
def counted(gql, staff, django_db_reset_sequences, settings):
    # NESTED asks for every relation of 500 services, far over the default cost limit
    settings.KEEL_GRAPHQL_MAX_COST = 10**6
    gql.client.force_login(staff)
    return gql


@pytest.mark.parametrize("size", [10, 200])
def test_nested_query_count_does_not_grow_with_services(counted, size, record_property):
    # given a catalog of ``size`` services with teams, members, APIs, consumers and edges
    _catalog(size)
    # when the nested query asks for all of them
    queries, data = _count(counted)
    record_property("queries", queries)
    # then every service came back with its relations ...
    nodes = [edge["node"] for edge in data["services"]["edges"]]
    assert len(nodes) == size
    assert all(len(node["ownerTeam"]["members"]) == 2 for node in nodes)
    assert all(node["tags"] == ["core", "edge"] for node in nodes)
    assert sum(len(node["dependencies"]) for node in nodes) == size - 1
    assert sum(len(api["consumers"]) for node in nodes for api in node["providedApis"]) == size - 1
    # ... for a fixed number of queries: session, user, count, page, then one per relation
    # (tags, teams, members with users, APIs, consumers, for each direction the edges around
    # the page and the services they reach, declared edges, their targets)
    assert queries == 15


def test_members_are_loaded_without_their_password_hashes(counted):
    _catalog(3)

    with CaptureQueriesContext(connection) as captured:
        counted(NESTED)

    members = [q["sql"] for q in captured.captured_queries if "teams_membership" in q["sql"]]
    assert members and not any('"password"' in sql for sql in members)


def test_relations_are_loaded_without_joins_nobody_asked_for(counted):
    # Django reads an empty select_related() as "every foreign key": a loader that needs no
    # related rows must not join the APIs' providers and their teams.
    _catalog(3)

    with CaptureQueriesContext(connection) as captured:
        counted(NESTED)

    apis = [q["sql"] for q in captured.captured_queries if 'FROM "catalog_api"' in q["sql"]]
    assert apis and not any("JOIN" in sql for sql in apis)


def _leaves(type_name: str) -> str:
    """Every scalar and enum field of a type that takes no arguments, from the live schema."""
    fields = schema.graphql_schema.get_type(type_name).fields
    return " ".join(
        name
        for name, field in fields.items()
        if is_leaf_type(get_named_type(field.type)) and not field.args
    )


def _wide() -> str:
    """Every column of every object a page of services reaches: a loader that read fewer
    columns than the query selects would cost a query per object."""
    service, user = _leaves("Service"), _leaves("User")
    return f"""{{ services(first: 500) {{ edges {{ node {{
      {service}
      dataDomain {{ {_leaves("DataDomain")} ownerService {{ slug }} }}
      ownerTeam {{
        {_leaves("Team")} parent {{ slug }}
        members {{ {_leaves("Membership")} user {{ {user} }} team {{ slug }} }}
      }}
      providedApis {{
        {_leaves("Api")} provider {{ slug }}
        versions {{ {_leaves("ApiVersion")} publishedBy {{ {user} }} api {{ slug }} }}
        consumers {{ {service} }}
      }}
      consumedApis {{ {_leaves("Api")} }}
      resources {{ {_leaves("Resource")} dataDomain {{ slug }} }}
      ownedDomains {{ {_leaves("DataDomain")} }}
      dependencyEdges {{ {_leaves("Dependency")} targetService {{ {service} }} }}
      dependencies {{ depth service {{ {service} ownerTeam {{ slug }} }} }}
    }} }} }} }}"""


def _domains_resources_and_versions() -> None:
    """Each service owns a data domain it is filed under and a resource in it; each API has a
    version published by a member of its team."""
    services = list(Service.objects.select_related("owner_team"))
    domains = DataDomain.objects.bulk_create(
        DataDomain(slug=f"{s.slug}-data", name=s.name, owner_service=s) for s in services
    )
    for service, domain in zip(services, domains, strict=True):
        service.data_domain = domain
    Service.objects.bulk_update(services, ["data_domain"])
    Resource.objects.bulk_create(
        Resource(slug=f"{s.slug}-db", name=s.name, kind=Resource.Kind.DATABASE, service=s,
                 owner_team_id=s.owner_team_id, data_domain=d)
        for s, d in zip(services, domains, strict=True)
    )  # fmt: skip
    publisher = Membership.objects.first().user
    ApiVersion.objects.bulk_create(
        ApiVersion(api=api, version="1.0.0", spec="openapi: 3.0.0", digest="0" * 64,
                   published_by=publisher)
        for api in Api.objects.all()
    )  # fmt: skip


@pytest.mark.parametrize("size", [5, 40])
def test_every_selected_column_is_read_with_its_batch(counted, settings, size, record_property):
    # given a catalog where every relation of a service has rows
    settings.KEEL_GRAPHQL_MAX_FIELDS, settings.KEEL_GRAPHQL_MAX_COST = 1000, 10**7
    _catalog(size)
    _domains_resources_and_versions()
    # when one query selects every column of every object it reaches
    with CaptureQueriesContext(connection) as queries:
        data = counted(_wide())
    record_property("queries", len(queries))
    # then each object came back whole ...
    nodes = [edge["node"] for edge in data["services"]["edges"]]
    assert len(nodes) == size
    assert all(node["dataDomain"]["ownerService"]["slug"] == node["slug"] for node in nodes)
    assert all(node["providedApis"][0]["versions"][0]["publishedBy"]["username"] for node in nodes)
    assert all(node["ownerTeam"]["members"][0]["user"]["username"] for node in nodes)
    assert sum(len(node["dependencies"]) for node in nodes) == size - 1
    # ... for the same queries at both sizes: session, user, page (nothing asks for the
    # count), then one per relation (tags, domains and their owners, teams, members with users and their teams, APIs, their
    # versions and the versions' APIs, consumers, consumed APIs, resources and their domains,
    # owned domains, declared edges and their targets, the edges around the page and the
    # services they reach)
    assert len(queries) == 21


def test_objects_read_narrowly_in_one_place_are_read_whole_where_more_is_asked(counted):
    # The owner teams are read once for their slugs and once, below the dependencies, for
    # their names: the narrow reading must not be served where the name is asked for.
    _catalog(4)
    query = """{ services { edges { node {
      ownerTeam { slug }
      dependencies { service { ownerTeam { slug name } } }
    } } } }"""

    data = counted(query)

    teams = {team.slug: team.name for team in Team.objects.all()}
    reached = [
        reach["service"]["ownerTeam"]
        for edge in data["services"]["edges"]
        for reach in edge["node"]["dependencies"]
    ]
    assert len(reached) == 3
    assert all(team["name"] == teams[team["slug"]] for team in reached)
