"""The GraphQL side: checking and comparing without publishing, the gate's mutations, and the
API's current version."""

from django.test import Client

from contracts.models import BreakingRelease

from .conftest import SDL_BREAKING, SDL_V1
from .test_gate import publish

CHECK = """query($spec: String!) {
  checkApiVersion(api: "pets", version: "1.1.0", spec: $spec) {
    verdict bump wouldPublish wouldBecomeCurrent breaking
    refusals { field messages } consumers { consumer ownerTeam affected }
  }
}"""


def _gql(user):
    client = Client()
    client.force_login(user)

    def run(query, variables=None):
        response = client.post(
            "/graphql/",
            {"query": query, "variables": variables or {}},
            content_type="application/json",
        )
        return response.json()

    return run


def test_a_check_answers_with_the_refusal_and_the_consumers(api, shop_consumes, outsider):
    body = _gql(outsider)(CHECK, {"spec": SDL_BREAKING})
    check = body["data"]["checkApiVersion"]
    assert (check["verdict"], check["bump"], check["wouldPublish"], check["breaking"]) == (
        "breaking", "minor", False, 2,
    )  # fmt: skip
    assert check["refusals"][0]["field"] == "version"
    assert check["consumers"] == [{"consumer": "shop-web", "ownerTeam": "shop", "affected": True}]


def test_oversized_input_is_an_error_not_a_parse(api, outsider, settings):
    settings.KEEL_SPEC_MAX_BYTES = 1000
    body = _gql(outsider)(CHECK, {"spec": "x" * 2000})
    assert body["data"]["checkApiVersion"] is None
    assert "larger than the limit" in body["errors"][0]["message"]


def test_compare_needs_no_catalog(outsider):
    body = _gql(outsider)(
        """query($b: String!, $r: String!) {
          compareContracts(type: GRAPHQL, base: $b, revision: $r) { verdict changes { rule location } }
        }""",
        {"b": SDL_V1, "r": SDL_BREAKING},
    )
    result = body["data"]["compareContracts"]
    assert result["verdict"] == "breaking"
    assert {c["location"] for c in result["changes"]} == {"Query.pet", "Pet.tag"}


def test_consumers_acknowledge_over_graphql_and_current_moves(
    api, shop_consumes, member, shop_member, outsider
):
    publish(api, member, "2.0.0", SDL_BREAKING)
    acknowledge = """mutation { acknowledgeBreakingVersion(input: {api: "pets", version: "2.0.0", consumer: "shop-web"}) {
      breakingVersion { state releasedBecause impacts { consumer acknowledgedBy } } errors { field messages } } }"""
    refused = _gql(outsider)(acknowledge)
    assert "Only members of team shop" in refused["errors"][0]["message"]
    listed = _gql(outsider)(
        '{ breakingVersions(api: "pets") { version state impacts { ownerTeam affected } } }'
    )
    assert listed["data"]["breakingVersions"] == [
        {"version": "2.0.0", "state": "open", "impacts": [{"ownerTeam": "shop", "affected": True}]}
    ]
    done = _gql(shop_member)(acknowledge)["data"]["acknowledgeBreakingVersion"]
    assert done["errors"] == [] and done["breakingVersion"]["state"] == "released"
    assert done["breakingVersion"]["impacts"] == [
        {"consumer": "shop-web", "acknowledgedBy": shop_member.username}
    ]
    current = _gql(outsider)('{ api(slug: "pets") { currentVersion } }')
    assert current["data"]["api"]["currentVersion"] == "2.0.0"


def test_a_sunset_too_soon_is_a_field_error(api, shop_consumes, member):
    publish(api, member, "2.0.0", SDL_BREAKING)
    body = _gql(member)(
        """mutation { setApiSunset(input: {api: "pets", version: "2.0.0", sunsetOn: "2000-01-01"}) {
          breakingVersion { state } errors { field messages } } }"""
    )
    assert body["data"]["setApiSunset"]["errors"][0]["field"] == "sunsetOn"
    assert BreakingRelease.objects.get().state == "open"


def test_the_policy_is_set_over_graphql(api, member):
    body = _gql(member)(
        'mutation { setContractPolicy(input: {api: "pets", semver: WARN}) { semver errors { field } } }'
    )
    assert body["data"]["setContractPolicy"] == {"semver": "WARN", "errors": []}
