"""A nested query costs the same number of SQL queries for 10 services as for 200."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Api, ApiConsumption, Dependency, Service, Tag
from teams.factories import MembershipFactory, TeamFactory

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
    # ... for a fixed number of queries: session, user, the catalog generation (for the result
    # cache, see portal.graphql.caching), count, page, then one per relation
    # (tags, teams, members with users, APIs, consumers, for each direction the edges around
    # the page and the services they reach, declared edges, their targets)
    assert queries == 16


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
