"""Service list pages: counted in the same statement as the page, with the same count, links
and refusals as every other list; filters that would duplicate rows do not."""

import pytest

from catalog import actions
from catalog.factories import ServiceFactory
from portal.audit import system_actor


@pytest.fixture
def services(team):
    made = [
        ServiceFactory(owner_team=team, slug=f"svc-{i:02d}", name=f"Svc {i:02d}") for i in range(7)
    ]
    for service in made[:5]:
        actions.update_service(service, actor=system_actor(), via="cli", tags=["pci", "core"])
    return made


def slugs(response) -> list[str]:
    return [row["slug"] for row in response.json()["results"]]


def test_pages_count_link_and_end(services, member_client):
    first = member_client.get("/api/v1/services/", {"page_size": 3, "ordering": "name"})
    body = first.json()
    assert body["count"] == 7 and slugs(first) == ["svc-00", "svc-01", "svc-02"]
    assert body["previous"] is None and "page=2" in body["next"]

    last = member_client.get("/api/v1/services/", {"page_size": 3, "page": "last"})
    assert last.json()["count"] == 7 and slugs(last) == ["svc-06"] and last.json()["next"] is None

    past = member_client.get("/api/v1/services/", {"page_size": 3, "page": 4})
    assert past.status_code == 404
    for page in ("x", "0", "-1", "²", "9" * 30):
        assert member_client.get("/api/v1/services/", {"page": page}).status_code == 404, page


def test_an_empty_list_counts_nothing(db, member_client):
    body = member_client.get("/api/v1/services/", {"owner_team": "nobody"}).json()
    assert body == {"count": 0, "next": None, "previous": None, "results": []}


def test_a_service_with_two_matching_tags_is_listed_once(services, member_client):
    response = member_client.get("/api/v1/services/", {"tag": "pci", "ordering": "-name"})
    assert response.json()["count"] == 5
    assert slugs(response) == ["svc-04", "svc-03", "svc-02", "svc-01", "svc-00"]
