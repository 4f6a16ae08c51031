"""The cost limit: fields times the sizes of the lists they are inside, known before anything
runs; connection page sizes are checked at the same time."""

import pytest
from django.conf import settings
from graphql.utilities import get_introspection_query

from .hostile import EXPENSIVE

TEAM_SERVICES = (
    "{ services(first: %s) { edges { node { slug ownerTeam { services { slug "
    "ownerTeam { members { user { username } } } } } } } } }"
)


def test_the_cost_limit_names_the_cost_and_the_limit(member_gql):
    response = member_gql.post(EXPENSIVE)
    assert response.status_code == 400
    message = response.json()["errors"][0]["message"]
    assert message.startswith(
        f"The query costs 117,501; the limit is {settings.KEEL_GRAPHQL_MAX_COST:,}."
    )


def test_a_smaller_page_brings_the_same_query_within_the_limit(member_gql, service):
    # given the query refused at the default page of 500, asking for 10 services instead
    data = member_gql(TEAM_SERVICES % 10)
    # then it runs
    assert data["services"]["edges"][0]["node"]["slug"] == "checkout"


def test_a_page_size_in_a_variable_counts_too(member_gql, service):
    query = "query Q($n: Int) { " + (TEAM_SERVICES % "$n")[2:]
    assert member_gql.post(query, {"n": 500}).status_code == 400
    assert member_gql(query, {"n": 10})["services"]["edges"]


def test_the_limit_is_a_setting(member_gql, service, settings):
    settings.KEEL_GRAPHQL_MAX_COST = 3
    response = member_gql.post("{ services(first: 1) { edges { node { slug } } } }")
    assert response.json()["errors"][0]["message"].startswith("The query costs 4; the limit is 3.")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("first: -1", "`first` on `services` must not be negative."),
        ("last: -1", "`last` on `services` must not be negative."),
        (
            'offset: 2, before: "YXJyYXljb25uZWN0aW9uOjU="',
            "`offset` and `before` cannot be combined on `services`.",
        ),
    ],
)
def test_bad_page_arguments_are_request_errors(member_gql, arguments, message):
    response = member_gql.post(f"{{ services({arguments}) {{ totalCount }} }}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == message


def test_introspection_reads_the_schema_so_it_is_not_held_to_depth_or_list_sizes(
    member_gql, settings
):
    # given introspection allowed, and GraphiQL's own introspection query, 12 levels deep
    settings.KEEL_GRAPHQL_INTROSPECTION = True
    # when GraphiQL sends it
    data = member_gql(get_introspection_query())
    # then it is answered
    assert data["__schema"]["queryType"]["name"] == "Query"


def test_fields_count_once_however_often_a_fragment_is_spread(member_gql, service, settings):
    settings.KEEL_GRAPHQL_MAX_FIELDS = 3
    query = "{ services(first: 1) { ...F } a: services(first: 1) { ...F } } fragment F on ServiceConnection { totalCount }"
    assert member_gql(query)["a"] == {"totalCount": 1}
