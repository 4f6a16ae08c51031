"""The OpenAPI document names the errors every operation can answer with, so clients (and
the schemathesis run) can rely on it: the shared layers' errors are declared once, centrally."""

import pytest

from tests.api.document import operations, served_document

DOCUMENT = served_document()
OPERATIONS = list(operations(DOCUMENT))


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=lambda v: str(v)[:60])
def test_every_operation_documents_the_errors_it_can_answer_with(method, path, operation):
    documented = set(operation["responses"])
    expected = {"401", "403"}
    if "{" in path:
        expected |= {"400", "404"}
    if "requestBody" in operation:
        expected |= {"400", "413", "415"}
    if method in {"POST", "PUT", "PATCH"}:
        expected.add("409")
    assert expected <= documented
    for code in expected:
        schema = operation["responses"][code]["content"]["application/json"]["schema"]
        assert schema["$ref"].split("/")[-1] in DOCUMENT["components"]["schemas"]


def test_every_query_parameter_may_be_sent_empty():
    query = [p for _, _, op in OPERATIONS for p in op.get("parameters", []) if p["in"] == "query"]
    assert query
    assert all(p.get("allowEmptyValue") for p in query)


def test_an_empty_query_value_is_the_same_as_none(world, staff_client):
    # as an HTML form sends an untouched filter; the pages use the same filter sets
    empty = staff_client.get("/api/v1/services/?kind=&tier=&q=&ordering=&page=&page_size=")
    assert empty.status_code == 200
    assert empty.json() == staff_client.get("/api/v1/services/").json()
