"""GraphQL for catalog as code: the same locations, runs, problems and entities as REST, and
the mutations that register a location and import it."""

import pytest

from descriptors.models import Location
from tests.graphql.conftest import GraphQLClient

from .web import UPLOAD, upload_location

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("imports_run_at_once")]


@pytest.fixture
def gql(client) -> GraphQLClient:
    return GraphQLClient(client)


@pytest.fixture
def member_gql(gql, member) -> GraphQLClient:
    gql.client.force_login(member)
    return gql


CREATE = """
mutation($input: CreateLocationInput!) {
  createLocation(input: $input) { location { slug type ownerTeam { slug } } errors { field messages } }
}"""
START = """
mutation($location: String!) {
  startImport(input: {location: $location}) {
    run { number status read created refused location { slug } startedBy { username }
          problems(level: ERROR) { totalCount edges { node { level source document line message } } } }
    errors { field messages }
  }
}"""


def _upload(**fields) -> dict:
    return {
        "input": {
            "slug": "cart-file",
            "name": "Cart",
            "type": "UPLOAD",
            "content": UPLOAD,
            **fields,
        }
    }


def test_a_member_registers_and_imports_an_upload(member_gql, team):
    # when a member registers a file for their team and imports it
    created = member_gql(CREATE, _upload(ownerTeam="payments"))["createLocation"]
    assert created == {
        "location": {"slug": "cart-file", "type": "UPLOAD", "ownerTeam": {"slug": "payments"}},
        "errors": [],
    }
    run = member_gql(START, {"location": "cart-file"})["startImport"]["run"]
    # then the run reports what it did, and where its problem was
    assert (run["status"], run["read"], run["created"], run["location"]["slug"]) == (
        "SUCCEEDED",
        1,
        1,
        "cart-file",
    )
    problems = run["problems"]
    assert problems["totalCount"] == 1
    assert (
        problems["edges"][0]["node"]["document"] == 2 and problems["edges"][0]["node"]["line"] == 6
    )
    # and the run, its location and the entity can be read again
    data = member_gql(
        """query($n: Int!) {
          importRun(number: $n) { status }
          locations(type: UPLOAD) { totalCount edges { node { slug lastRun { number status } } } }
          entities(kind: "component", orphaned: false) { edges { node { ref orphaned target { type name url } location { slug } } } }
          entity(ref: "Component:default/cart") { descriptor ownerTeam { slug } }
        }""",
        {"n": run["number"]},
    )
    assert data["importRun"]["status"] == "SUCCEEDED"
    assert data["locations"]["edges"][0]["node"]["lastRun"] == {
        "number": run["number"],
        "status": "SUCCEEDED",
    }
    assert data["entities"]["edges"][0]["node"] == {
        "ref": "component:default/cart",
        "orphaned": False,
        "target": {"type": "service", "name": "cart", "url": "/services/cart/"},
        "location": {"slug": "cart-file"},
    }
    assert data["entity"]["ownerTeam"] == {"slug": "payments"}


def test_refusals_come_back_as_field_errors_or_a_permission_error(member_gql, team, staff):
    badly_named = member_gql(CREATE, _upload(ownerTeam="payments", slug="Cart File"))
    assert badly_named["createLocation"]["location"] is None
    assert badly_named["createLocation"]["errors"][0]["field"] == "slug"
    bad_url = member_gql(CREATE, _upload(ownerTeam="payments", type="GIT", target="file:///etc"))
    assert bad_url["createLocation"]["errors"][0]["field"] == "target"
    unknown = member_gql(START, {"location": "nowhere"})["startImport"]
    assert unknown["errors"][0]["field"] == "location"
    # a location without a team is staff's: a member may neither register nor import one
    staffs = member_gql.post(CREATE, _upload()).json()
    assert "staff" in staffs["errors"][0]["message"]
    upload_location(staff, slug="staff-file")
    refused = member_gql.post(START, {"location": "staff-file"}).json()
    assert "staff" in refused["errors"][0]["message"]
    assert list(Location.objects.values_list("slug", flat=True)) == ["staff-file"]


def test_anonymous_requests_are_refused(gql, team, member):
    upload_location(member, owner_team=team)
    response = gql.post('{ locations { totalCount } location(slug: "cart-file") { slug } }')
    assert response.status_code == 401 and "data" not in response.json()


LISTS = """{
  locations(first: 100) { edges { node { slug ownerTeam { slug } createdBy { username } lastRun { number status } } } }
  importRuns(first: 100) { edges { node { number location { slug } startedBy { username } } } }
  entities(first: 100) { edges { node { ref orphaned location { slug } ownerTeam { slug } target { name url } } } }
}"""


def _queries(gql) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        gql(LISTS)
    return len(captured)


def test_lists_cost_the_same_for_few_rows_as_for_many(member_gql, member, team):
    from descriptors import actions
    from portal.models import Interface

    def more(n, start):
        for i in range(start, start + n):
            content = UPLOAD.replace("name: cart", f"name: cart-{i}")
            location = upload_location(member, owner_team=team, slug=f"file-{i}", content=content)
            actions.start_import(location, actor=member, via=Interface.API, trigger="manual")

    more(2, 0)
    few = _queries(member_gql)
    more(6, 2)
    assert _queries(member_gql) == few
