"""A document's parse and validation are kept per text (``portal.graphql.documents``); what
depends on anything else (variables, settings) is still decided on every request."""

from portal.graphql import documents
from portal.graphql.schema import schema

PAGE = "query Page($n: Int) { services(first: $n) { totalCount } }"


def test_the_same_text_is_parsed_once():
    assert documents.parse(PAGE) is documents.parse(PAGE)
    assert documents.parse(PAGE) is not documents.parse(PAGE.replace("Page", "Other"))


def test_a_kept_document_is_still_checked_against_each_requests_variables(member_gql, service):
    assert member_gql.post(PAGE, {"n": 10}).status_code == 200

    refused = member_gql.post(PAGE, {"n": 10_000})

    assert refused.status_code == 400
    assert "exceeds the limit of 500 records" in refused.json()["errors"][0]["message"]


def test_an_invalid_document_is_refused_every_time(member_gql):
    bad = "{ services { edges { node { slug nope } } } }"

    responses = [member_gql.post(bad) for _ in range(2)]

    assert [r.status_code for r in responses] == [400, 400]
    assert responses[0].json() == responses[1].json()
    assert "Cannot query field 'nope'" in responses[1].json()["errors"][0]["message"]


def test_turning_introspection_off_applies_to_documents_validated_before(settings, member_gql):
    query = "{ __schema { queryType { name } } }"
    settings.KEEL_GRAPHQL_INTROSPECTION = True
    assert member_gql.post(query).status_code == 200

    settings.KEEL_GRAPHQL_INTROSPECTION = False

    assert member_gql.post(query).status_code == 400
    assert documents.validation_errors(schema.graphql_schema, query)


def test_a_lower_token_limit_applies_to_documents_parsed_before(settings, member_gql, service):
    assert member_gql.post(PAGE, {"n": 1}).status_code == 200

    settings.KEEL_GRAPHQL_MAX_TOKENS = 5

    refused = member_gql.post(PAGE, {"n": 1})
    assert refused.status_code == 400
    assert "more than 5 tokens" in refused.json()["errors"][0]["message"]
