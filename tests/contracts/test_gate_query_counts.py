"""Reads of APIs and their breaking versions cost the same number of queries whatever the
number of breaking versions and consumers: diffs are read from their rows, never computed."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import actions as catalog_actions
from catalog.factories import ApiConsumptionFactory, ApiFactory, ServiceFactory
from catalog.models import Api
from teams.factories import TeamFactory

from .conftest import SDL_BREAKING, SDL_V1


def _breaking_apis(provider, member, n, start):
    for i in range(start, start + n):
        api = ApiFactory(slug=f"graph-{i}", provider=provider, type=Api.Type.GRAPHQL)
        for label, spec in (("1.0.0", SDL_V1), ("2.0.0", SDL_BREAKING)):
            if label == "2.0.0":
                for k in range(2):
                    consumer = ServiceFactory(owner_team=TeamFactory())
                    ApiConsumptionFactory(consumer=consumer, api=api, version_requirement=f"^{k}")
            catalog_actions.publish_api_version(
                api, actor=member, via="api", version=label, spec=spec
            )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_api_reads_do_not_grow_with_breaking_versions(provider, member):
    client = Client()
    client.force_login(member)
    urls = [
        "/api/v1/apis/",
        "/api/v1/apis/graph-0/",
        "/api/v1/apis/graph-0/breaking-versions/",
        reverse("catalog:api-detail", args=["graph-0"]),
    ]
    _breaking_apis(provider, member, 2, 0)
    few = [_count(client, url) for url in urls]
    _breaking_apis(provider, member, 4, 2)
    graph = Api.objects.get(slug="graph-0")
    for label, spec in (
        ("3.0.0", SDL_V1),
        ("4.0.0", SDL_BREAKING),
        ("5.0.0", SDL_V1),
        ("6.0.0", SDL_BREAKING),
    ):
        catalog_actions.publish_api_version(
            graph, actor=member, via="api", version=label, spec=spec
        )
    assert graph.breaking_releases.count() == 3
    many = [_count(client, url) for url in urls]
    assert few == many
