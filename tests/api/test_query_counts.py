"""The number of SQL queries behind a list (and behind a service's page) does not grow with
the number of rows: each endpoint is read with 10 rows and with 100, and must cost the same,
within its baseline."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.factories import (
    ApiConsumptionFactory,
    ApiFactory,
    ApiVersionFactory,
    BusinessDomainFactory,
    DataDomainFactory,
    DependencyFactory,
    ResourceFactory,
    ServiceFactory,
    SystemFactory,
)
from catalog.graph import DependencyGraph
from catalog.models import Api, Service
from teams.factories import MembershipFactory, TeamFactory
from teams.models import Team


def _teams(n):
    for _ in range(n):
        team = TeamFactory()
        MembershipFactory(team=team, role="lead")
        MembershipFactory(team=team)


def _services(n):
    team = Team.objects.get(slug="payments")
    domain = DataDomainFactory(owner_service=Service.objects.get(slug="checkout"))
    system = SystemFactory(owner_team=team)
    ServiceFactory.create_batch(
        n, owner_team=team, tags=["pci", "web"], data_domain=domain, system=system
    )


def _apis(n):
    checkout = Service.objects.get(slug="checkout")
    system = SystemFactory(owner_team=checkout.owner_team)
    for api in ApiFactory.create_batch(n, provider=checkout, system=system):
        ApiVersionFactory(api=api)


def _systems(n):
    team = Team.objects.get(slug="payments")
    for domain in BusinessDomainFactory.create_batch(n, owner_team=team):
        SystemFactory(owner_team=TeamFactory(), business_domain=domain)


def _business_domains(n):
    BusinessDomainFactory.create_batch(n, owner_team=TeamFactory())


def _versions(n):
    api = Api.objects.filter(slug="hub-api").first() or ApiFactory(
        slug="hub-api", provider=Service.objects.get(slug="checkout")
    )
    published = api.versions.count()
    for i in range(published, published + n):
        ApiVersionFactory(api=api, version=f"1.{i}.0")


def _domains(n):
    DataDomainFactory.create_batch(n, owner_service=Service.objects.get(slug="checkout"))


def _resources(n):
    domain = DataDomainFactory(owner_service=Service.objects.get(slug="checkout"))
    ResourceFactory.create_batch(
        n, service=Service.objects.get(slug="checkout"), data_domain=domain
    )


def _dependencies(n):
    hub = Service.objects.get(slug="checkout")
    for _ in range(n):
        DependencyFactory(source=hub)
    resource = ResourceFactory()
    DependencyFactory(source=hub, target_service=None, target_resource=resource)


def _consumptions(n):
    api = Service.objects.get(slug="checkout").provided_apis.first() or ApiFactory(
        provider=Service.objects.get(slug="checkout")
    )
    ApiConsumptionFactory.create_batch(n, api=api)


def _history(n):
    from catalog import actions
    from portal.audit import system_actor

    service = Service.objects.get(slug="checkout")
    for i in range(n):
        actions.update_service(service, actor=system_actor(), via="cli", name=f"Checkout {i}")


def _members(n):
    MembershipFactory.create_batch(n, team=Team.objects.get(slug="payments"))


def _walk_down(n):
    hub = Service.objects.get(slug="checkout")
    for _ in range(n):
        DependencyFactory(source=hub)


def _walk_up(n):
    hub = Service.objects.get(slug="checkout")
    for _ in range(n):
        DependencyFactory(target_service=hub)


def _cycles(n):
    for _ in range(n):
        a, b = ServiceFactory(), ServiceFactory()
        DependencyFactory(source=a, target_service=b)
        DependencyFactory(source=b, target_service=a)


def _neighbourhood(n):
    """checkout with n of everything its page shows."""
    service = Service.objects.get(slug="checkout")
    for _ in range(n):
        ApiFactory(provider=service)
        ResourceFactory(service=service)
        DependencyFactory(source=service)
        DependencyFactory(target_service=service)
        ApiConsumptionFactory(consumer=service)
    from catalog import actions
    from portal.audit import system_actor

    tags = [f"tag-{i}" for i in range(n)]
    actions.update_service(service, actor=system_actor(), via="cli", tags=tags)


def _locations(n):
    from descriptors.models import ImportRun, Location

    team = Team.objects.get(slug="payments")
    for location in Location.objects.bulk_create(
        Location(slug=f"file-{i}", name=f"File {i}", type="upload", owner_team=team)
        for i in range(Location.objects.count(), Location.objects.count() + n)
    ):
        ImportRun.objects.create(location=location, trigger="manual", status="succeeded")


def _import_runs(n):
    from descriptors.models import ImportRun, Location

    location = Location.objects.get_or_create(slug="file", defaults={"type": "upload"})[0]
    ImportRun.objects.bulk_create(ImportRun(location=location, trigger="manual") for _ in range(n))


def _problems(n):
    from descriptors.models import ImportProblem, ImportRun, Location

    location = Location.objects.get_or_create(slug="file", defaults={"type": "upload"})[0]
    run = ImportRun.objects.get_or_create(pk=1, defaults={"location": location, "trigger": "cli"})[
        0
    ]
    ImportProblem.objects.bulk_create(ImportProblem(run=run, message="x") for _ in range(n))


def _entities(n):
    """Entities that became services, and some that became nothing."""
    from django.contrib.contenttypes.models import ContentType

    from descriptors.models import Entity, Location

    location = Location.objects.get_or_create(slug="file", defaults={"type": "upload"})[0]
    team = Team.objects.get(slug="payments")
    services = ServiceFactory.create_batch(n, owner_team=team)
    kind = ContentType.objects.get_for_model(Service)
    Entity.objects.bulk_create(
        Entity(
            ref=f"component:default/{s.slug}",
            kind="component",
            name=s.slug,
            location=location,
            descriptor={},
            digest="",
            target_type=kind,
            target_id=s.pk,
            owner_team=team,
        )  # fmt: skip
        for s in services
    )
    Entity.objects.create(ref=f"template:default/t{n}", kind="template", name=f"t{n}",
                          descriptor={}, digest="")  # fmt: skip


# url -> (builder, baseline); small and large counts come from SIZES. A service list is the
# page of stored documents counted in the same statement (catalog.documents), a service one
# indexed read; graph reads count loading the graph (its services, its edges) as well.
ENDPOINTS = {
    "/api/v1/teams/": (_teams, 4),
    "/api/v1/services/": (_services, 1),
    "/api/v1/apis/": (_apis, 3),
    "/api/v1/apis/hub-api/versions/": (_versions, 3),
    "/api/v1/domains/": (_domains, 3),
    "/api/v1/systems/": (_systems, 3),
    "/api/v1/business-domains/": (_business_domains, 3),
    "/api/v1/resources/": (_resources, 3),
    "/api/v1/dependencies/": (_dependencies, 3),
    "/api/v1/consumptions/": (_consumptions, 3),
    "/api/v1/services/checkout/history/": (_history, 4),
    "/api/v1/teams/payments/members/": (_members, 3),
    "/api/v1/services/checkout/dependencies/": (_walk_down, 6),
    "/api/v1/services/checkout/dependents/": (_walk_up, 6),
    "/api/v1/graph/cycles/": (_cycles, 4),
    "/api/v1/services/checkout/": (_neighbourhood, 1),
    "/api/v1/locations/": (_locations, 2),
    "/api/v1/import-runs/": (_import_runs, 2),
    "/api/v1/import-runs/1/problems/": (_problems, 3),
    "/api/v1/entities/": (_entities, 3),
}
# A team never passes 10 members (the member fixture is the first).
SIZES = {"/api/v1/teams/payments/members/": (2, 9)}


def _queries(client, url) -> int:
    """Queries of a read by a process that has not read the dependency graph yet."""
    DependencyGraph.forget()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": 500})
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_queries_do_not_grow_with_rows(
    url, service, member, client_for, django_assert_max_num_queries, django_assert_num_queries
):
    # given a few rows behind the endpoint
    build, baseline = ENDPOINTS[url]
    small, large = SIZES.get(url, (10, 100))
    client = client_for(member)
    build(small)
    # when it is read, it costs at most its baseline
    with django_assert_max_num_queries(baseline):
        client.get(url, {"page_size": 500})
    few = _queries(client, url)
    # then with ten times the rows it costs exactly the same
    build(large - small)
    with django_assert_num_queries(few):
        response = client.get(url, {"page_size": 500})
    body = response.json()
    rows = body.get("results", body.get("dependencies"))
    assert len(rows) >= large  # the rows really were there to be loaded
