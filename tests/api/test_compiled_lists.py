"""A filtered service list answered from a statement compiled once per shape
(``portal.api.statements``) says exactly what the ORM's query says, for every kind of filter."""

import pytest

from catalog.factories import ServiceFactory
from portal.api import statements
from teams.factories import TeamFactory

QUERIES = [
    "owner_team=blue&page_size=3",
    "owner_team=BLUE&page_size=3&page=2",  # a slug in another case names the same team
    "owner_team=blue&page_size=3&page=last",
    "owner_team=blue&page_size=3&page=9",  # past the end: 404
    "owner_team=nobody&page_size=3",  # an empty first page
    "owner_team=not%20a%20slug",
    "owner_team=green&ordering=-tier",
    "owner_team=green&ordering=kind,-name&page_size=2",
    "lifecycle=production&tier=2&ordering=name&page_size=4",
    "tier=1&ordering=-name",
    "kind=worker&language=GO",
    "tag=pci&ordering=name",
    "tag=pci&owner_team=blue&tier=1",
    "q=svc&tier=1",  # free text: not a compiled shape, answered by the ORM
    "tier=7",  # refused by the FilterSet either way
    "ordering=bogus",
]


@pytest.fixture
def catalog(db):
    blue, green = TeamFactory(slug="blue"), TeamFactory(slug="green")
    for index in range(14):
        ServiceFactory(
            slug=f"svc-{index:02}",
            owner_team=blue if index % 2 else green,
            tier=1 + index % 4,
            kind="worker" if index % 3 else "service",
            language="go" if index % 5 else "python",
            lifecycle="production" if index % 2 else "experimental",
            tags=["pci"] if index % 4 == 1 else [],
        )


def _answers(client, compiled: bool, monkeypatch):
    if not compiled:
        monkeypatch.setattr(statements, "fetcher", lambda *args: None)
    answers = []
    for query in QUERIES:
        response = client.get(f"/api/v1/services/?{query}")
        answers.append((query, response.status_code, response.content))
    monkeypatch.undo()
    return answers


def test_compiled_pages_equal_the_orms(catalog, client_for, outsider, monkeypatch):
    client = client_for(outsider)
    statements._statements.clear()
    compiled = _answers(client, True, monkeypatch)
    assert any(statements._statements.values())  # some shapes were compiled and kept
    assert not statements._statements[
        next(k for k in statements._statements if "q" in k[3])
    ]  # free text was not
    again = _answers(client, True, monkeypatch)  # now run from the kept statements
    plain = _answers(client, False, monkeypatch)
    assert compiled == again == plain
    statuses = {query: status for query, status, _ in plain}
    assert statuses["owner_team=blue&page_size=3&page=9"] == 404
    assert statuses["tier=7"] == statuses["ordering=bogus"] == 400


def test_a_compiled_page_takes_one_query(catalog, client_for, outsider, django_assert_num_queries):
    client = client_for(outsider)
    client.get("/api/v1/services/?owner_team=blue&ordering=-tier")  # compiles the shape
    with django_assert_num_queries(1):  # the page with its count
        body = client.get("/api/v1/services/?owner_team=green&ordering=-tier").json()
    assert body["count"] == 7
    tiers = [row["tier"] for row in body["results"]]
    assert tiers == sorted(tiers, reverse=True)
    assert {row["owner_team"] for row in body["results"]} == {"green"}
