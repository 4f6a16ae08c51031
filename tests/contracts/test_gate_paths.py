"""The same diff and the same refusal on every path that publishes: REST, GraphQL, the page
and the importer."""

import textwrap

from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from catalog.models import Api, ApiVersion
from contracts import actions
from contracts.models import BreakingRelease, VersionDiff
from descriptors import actions as descriptor_actions
from descriptors import importing
from descriptors.models import Location
from portal.models import Interface

from .conftest import SDL_ADDITIVE, SDL_BREAKING

VERSIONS = "/api/v1/apis/pets/versions/"


def _rest(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_rest_publishes_with_a_diff_and_refuses_a_breaking_minor(api, member):
    client = _rest(member)
    response = client.post(VERSIONS, {"version": "1.1.0", "spec": SDL_BREAKING}, format="json")
    assert response.status_code == 400
    assert "Query.pet was removed" in response.json()["version"][0]
    response = client.post(VERSIONS, {"version": "1.1.0", "spec": SDL_ADDITIVE}, format="json")
    assert response.status_code == 201
    assert VersionDiff.objects.get(version__version="1.1.0").base_version == "1.0.0"
    assert client.get("/api/v1/apis/pets/").json()["current_version"] == "1.1.0"


def test_graphql_refuses_it_as_a_field_error(api, member):
    client = Client()
    client.force_login(member)
    mutation = """mutation($input: PublishApiVersionInput!) {
      publishApiVersion(input: $input) { apiVersion { version } errors { field messages } }
    }"""
    body = client.post(
        "/graphql/",
        {
            "query": mutation,
            "variables": {"input": {"api": "pets", "version": "1.0.1", "spec": SDL_BREAKING}},
        },
        content_type="application/json",
    ).json()
    errors = body["data"]["publishApiVersion"]["errors"]
    assert errors[0]["field"] == "version" and "Publish it as 2.0.0" in errors[0]["messages"][0]
    ok = client.post(
        "/graphql/",
        {
            "query": mutation,
            "variables": {"input": {"api": "pets", "version": "2.0.0", "spec": SDL_BREAKING}},
        },
        content_type="application/json",
    ).json()
    assert ok["data"]["publishApiVersion"]["apiVersion"] == {"version": "2.0.0"}
    assert ApiVersion.objects.get(version="2.0.0").diff.verdict == "breaking"
    query = client.post(
        "/graphql/",
        {"query": '{ api(slug: "pets") { currentVersion } }'},
        content_type="application/json",
    ).json()
    assert query["data"]["api"]["currentVersion"] == "2.0.0"


def test_the_page_shows_the_refusal_on_the_version_field(api, member):
    client = Client()
    client.force_login(member)
    url = reverse("catalog:api-publish", args=[api.slug])
    response = client.post(url, {"version": "1.2.0", "spec": SDL_BREAKING})
    assert response.status_code == 400
    assert "breaking changes from 1.0.0" in " ".join(response.context["form"].errors["version"])
    assert api.versions.count() == 1


CATALOG = """
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: petstore}
spec: {type: service, lifecycle: production, owner: group:default/payments, providesApis: [pet-graph]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: kennel}
spec: {type: service, lifecycle: production, owner: group:default/payments, consumesApis: [pet-graph]}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: pet-graph}
spec:
  type: graphql
  lifecycle: production
  owner: payments
  definition: |
SDL
"""


def _catalog(sdl: str) -> str:
    return CATALOG.replace("SDL\n", textwrap.indent(sdl.strip() + "\n", "    "))


def test_the_importer_diffs_what_it_publishes_and_holds_a_breaking_one_back(team, staff, member):
    from .conftest import SDL_V1

    location = descriptor_actions.create_location(
        actor=staff, via=Interface.API, slug="upload", name="upload", type=Location.Type.UPLOAD,
        entry="catalog-info.yaml", content=_catalog(SDL_V1),
    )  # fmt: skip
    importing.run(location, actor=staff, via=Interface.IMPORT, trigger="manual")
    api = Api.objects.get(slug="pet-graph")
    assert api.current_version == "import-1"
    assert api.versions.get().diff.verdict == "first"

    # tier 3 warns: the breaking definition is published, but kennel has not acknowledged it
    location.content = _catalog(SDL_BREAKING)
    run = importing.run(location, actor=staff, via=Interface.IMPORT, trigger="manual")
    assert not [p.message for p in run.problems.all()], [p.message for p in run.problems.all()]
    diff = ApiVersion.objects.get(api=api, version="import-2").diff
    assert (diff.verdict, diff.bump, diff.policy) == ("breaking", "unknown", "warn")
    assert BreakingRelease.objects.get().impacts.get().consumer_slug == "kennel"
    assert Api.objects.get(pk=api.pk).current_version == "import-1"

    # enforced, the next breaking definition is not published: a warning says why
    actions.set_contract_policy(api, semver="enforce", actor=staff, via=Interface.API)
    location.content = _catalog(SDL_BREAKING.replace("  name: String!\n", ""))
    run = importing.run(location, actor=staff, via=Interface.IMPORT, trigger="manual")
    warnings = [p.message for p in run.problems.all()]
    assert any("definition not published" in w and "Pet.name was removed" in w for w in warnings)
    assert api.versions.count() == 2


def test_an_openapi_path_removed_under_a_minor_version_is_refused(provider, member):
    from catalog.factories import ApiFactory, ApiVersionFactory, openapi_document

    rest = ApiFactory(slug="pets-rest", provider=provider)
    ApiVersionFactory(api=rest, version="1.0.0", spec=openapi_document("Pets", resource="pets"))
    client = _rest(member)
    url = "/api/v1/apis/pets-rest/versions/"
    renamed = openapi_document("Pets", "1.1.0", resource="animals")
    response = client.post(url, {"version": "1.1.0", "spec": renamed}, format="json")
    assert response.status_code == 400
    assert "/pets" in response.json()["version"][0] and "2.0.0" in response.json()["version"][0]
    assert client.post(url, {"version": "2.0.0", "spec": renamed}, format="json").status_code == 201
    diff = VersionDiff.objects.get(version__api=rest, version__version="2.0.0")
    assert diff.verdict == "breaking" and any(
        c["rule"].startswith("openapi.") and "/pets" in c["location"] for c in diff.changes
    )
