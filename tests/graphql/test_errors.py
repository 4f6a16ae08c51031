"""How failures come back: request errors are 400 without data; field errors are 200 with data
and a path; only expected refusals speak, anything else is masked and logged."""

import json
import logging
from unittest import mock

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from graphql import GraphQLError

from portal.graphql.views import INTERNAL_ERROR, KeelGraphQLView


def _resolver_error(original: Exception) -> GraphQLError:
    return GraphQLError(str(original), path=["services"], original_error=original)


def test_an_unexpected_resolver_exception_is_masked_logged_and_has_a_path(
    member_gql, service, caplog
):
    # given a resolver that fails with an internal detail in its message
    failure = RuntimeError("connection to 10.0.0.5 failed: password=hunter2")
    broken = mock.patch("catalog.graphql.types.graph.blast_radius", side_effect=failure)
    # when a query reaches it
    with broken, caplog.at_level(logging.ERROR, logger="portal.graphql.views"):
        response = member_gql.post('{ service(slug: "checkout") { slug blastRadius { total } } }')
    # then the request ran (200), the field is null and the error is masked but logged
    body = response.json()
    assert response.status_code == 200
    assert body["data"] == {"service": None}
    assert body["errors"] == [
        {
            "message": INTERNAL_ERROR,
            "locations": [{"line": 1, "column": 36}],
            "path": ["service", "blastRadius"],
        }
    ]
    assert "hunter2" not in response.content.decode()
    assert caplog.records[0].exc_info[1] is failure


@pytest.mark.parametrize(
    "original",
    [
        ValueError("invalid literal for int() with base 10: 'x'"),
        AssertionError("internal"),
        KeyError("k"),
    ],
)
def test_library_and_programming_errors_never_speak(original):
    assert KeelGraphQLView.format_error(_resolver_error(original))["message"] == INTERNAL_ERROR


@pytest.mark.parametrize(
    ("original", "message"),
    [
        (
            PermissionDenied("Only members of team payments may do this."),
            "Only members of team payments may do this.",
        ),
        (PermissionDenied(), "You may not do this."),
        (
            ObjectDoesNotExist("Service matching query does not exist."),
            "Service matching query does not exist.",
        ),
        (ValidationError("Enter a valid value."), "Enter a valid value."),
        (
            ValidationError({"owner_team": ["No team has the slug 'x'."]}),
            "ownerTeam: No team has the slug 'x'.",
        ),
        # graphene-django's filter fields send the form's errors as one JSON message
        (
            ValidationError(
                json.dumps(
                    {"lifecycle": [{"message": "Select a valid choice.", "code": "invalid_choice"}]}
                )
            ),
            "lifecycle: Select a valid choice.",
        ),
    ],
)
def test_expected_refusals_say_why(original, message):
    formatted = KeelGraphQLView.format_error(_resolver_error(original))
    assert formatted["message"] == message
    assert formatted["path"] == ["services"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"query": 5}, "Must provide query string."),
        (
            {"query": "{ services { totalCount } }", "variables": [1]},
            "Variables must be a JSON object.",
        ),
        (
            {
                "query": "{ services { totalCount } }",
                "variables": {"v": json.loads("[" * 100 + "]" * 100)},
            },
            "The variables nest more than 64 levels deep.",
        ),
        (  # unused, yet walked: 400,000 of them took over a second
            {"query": "{ services { totalCount } }", "variables": {"v": [[0]] * 10_001}},
            "The variables hold more than 10,000 values.",
        ),
    ],
)
def test_malformed_requests_are_400_with_a_message(member_gql, body, message):
    response = member_gql.client.post("/graphql/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == message


def test_variables_of_10000_values_are_taken(member_gql):
    variables = {"v": [0] * 9_998, "w": 0}  # the two variables count too
    response = member_gql.post("{ services { totalCount } }", variables)
    assert response.status_code == 200, response.json()


def test_a_body_nested_1000_levels_is_400_not_a_recursion_error(member_gql):
    body = (
        '{"query": "{ services { totalCount } }", "variables": {"v": '
        + "[" * 1000
        + "]" * 1000
        + "}}"
    )
    response = member_gql.client.post("/graphql/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "The request body nests too deeply."
