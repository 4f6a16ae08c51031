"""Hostile documents are refused before validation with a GraphQL error, never a 500 (issue 8,
point 7). Their refusal times are printed by benchmarks/graphql_limits.py."""

import pytest

from .hostile import DOCUMENTS


@pytest.mark.parametrize(
    ("document", "message"),
    [(doc, msg) for _, doc, msg in DOCUMENTS],
    ids=[n for n, *_ in DOCUMENTS],
)
def test_a_hostile_document_is_refused_with_a_graphql_error(member_gql, document, message):
    # when a hostile document is sent
    response = member_gql.post(document)
    # then it is refused as a request error, saying why, with no data
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"].startswith(message), body
