"""REST for catalog as code: registering locations (who may, what each type needs), starting
an import and reading its report, the entities it declared, and the export."""

import json

import pytest
import yaml
from rest_framework.test import APIClient

from descriptors.models import Entity, ImportRun, Location
from portal.models import ChangeRecord
from teams.factories import TeamFactory

from .web import UPLOAD, upload_location

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("imports_run_at_once")]


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _upload(**fields) -> dict:
    return {"slug": "cart-file", "name": "Cart file", "type": "upload", "content": UPLOAD, **fields}


# --- locations ------------------------------------------------------------------------------


def test_anonymous_requests_are_refused(team, member):
    upload_location(member, owner_team=team)
    client = _client()
    for url in (
        "/api/v1/locations/",
        "/api/v1/import-runs/",
        "/api/v1/entities/",
        "/api/v1/export/",
    ):
        assert client.get(url).status_code == 401, url
    assert client.post("/api/v1/locations/cart-file/import/").status_code == 401


def test_a_member_registers_an_upload_location_for_their_team(team, member):
    # when a member registers the file for team payments
    response = _client(member).post("/api/v1/locations/", _upload(owner_team="payments"))
    # then it exists, owned by the team, and the file is not sent back
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["owner_team"], body["type"], body["created_by"]) == (
        "payments",
        "upload",
        member.username,
    )
    assert "content" not in body and body["last_run"] is None
    assert Location.objects.get(slug="cart-file").content == UPLOAD


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"owner_team": None}, 403, None),  # a location without a team is staff's
        ({"owner_team": "search"}, 403, None),  # not their team
        ({"owner_team": "payments", "content": "x" * 65}, 400, "content"),
        (
            {"owner_team": "payments", "type": "git", "target": "ssh://git@host/x.git"},
            400,
            "target",
        ),
        (
            {"owner_team": "payments", "type": "git", "target": "https://u:p@host/x.git"},
            400,
            "target",
        ),
        ({"owner_team": "payments", "type": "path", "target": "/srv/catalog"}, 403, None),
        ({"owner_team": "payments", "type": "ftp"}, 400, "type"),
        ({"owner_team": "payments", "slug": "Not a slug"}, 400, "slug"),
        ({"owner_team": "nobody"}, 400, "owner_team"),
    ],
)
def test_what_a_member_may_not_register_is_refused_with_a_reason(
    team, member, settings, fields, status, field
):
    settings.KEEL_CATALOG_MAX_FILE_BYTES = 64
    TeamFactory(slug="search")
    response = _client(member).post("/api/v1/locations/", _upload(**fields), format="json")
    assert response.status_code == status, response.json()
    if field:
        assert response.json()[field][0]
    else:
        assert response.json()["detail"]
    assert not Location.objects.exists()


def test_staff_register_path_and_git_locations_without_a_team(staff):
    client = _client(staff)
    path = client.post(
        "/api/v1/locations/", _upload(slug="srv", type="path", target="/srv/catalog")
    )
    git = client.post(
        "/api/v1/locations/",
        _upload(slug="orders", type="git", target="https://git.example.com/orders.git", ref="main"),
    )
    relative = client.post("/api/v1/locations/", _upload(slug="rel", type="path", target="srv"))
    assert (path.status_code, git.status_code) == (201, 201), (path.json(), git.json())
    assert path.json()["owner_team"] is None and git.json()["ref"] == "main"
    assert relative.status_code == 400 and "absolute" in relative.json()["target"][0]


def test_locations_filter_by_type_and_owner_team(team, member, staff):
    upload_location(member, owner_team=team)
    _client(staff).post("/api/v1/locations/", _upload(slug="srv", type="path", target="/srv"))
    client = _client(member)
    slugs = lambda **q: [r["slug"] for r in client.get("/api/v1/locations/", q).json()["results"]]  # noqa: E731
    assert slugs(type="path") == ["srv"]
    assert slugs(owner_team="PAYMENTS") == ["cart-file"]
    assert client.get("/api/v1/locations/", {"type": "ftp"}).status_code == 400


def test_members_change_and_outsiders_may_not(team, member, outsider, staff):
    upload_location(member, owner_team=team)
    upload_location(staff, slug="staff-file")
    assert _client(member).patch("/api/v1/locations/staff-file/", {"name": "x"}).status_code == 403
    assert _client(member).delete("/api/v1/locations/staff-file/").status_code == 403
    url = "/api/v1/locations/cart-file/"
    refused = _client(outsider).patch(url, {"name": "Mine"})
    changed = _client(member).patch(url, {"name": "Cart descriptors", "remove_orphans": True})
    moved = _client(member).patch(url, {"type": "git"})
    assert refused.status_code == 403
    assert changed.status_code == 200 and changed.json()["remove_orphans"] is True
    assert moved.status_code == 400 and moved.json()["type"]
    assert _client(member).get("/api/v1/locations/nowhere/").status_code == 404


# --- importing ------------------------------------------------------------------------------


def test_an_upload_is_imported_and_its_report_read(team, member):
    # given an upload location of the member's team
    client = _client(member)
    client.post("/api/v1/locations/", _upload(owner_team="payments"))
    # when they import it
    response = client.post("/api/v1/locations/cart-file/import/")
    # then the run answers at once with what it did
    assert response.status_code == 202, response.json()
    run = response.json()
    assert (run["status"], run["read"], run["created"], run["location"]) == (
        "succeeded",
        1,
        1,
        "cart-file",
    )
    assert run["started_by"] == member.username and run["trigger"] == "manual"
    # and its problems say where the refused entity was
    problems = client.get(f"/api/v1/import-runs/{run['id']}/problems/").json()
    assert problems["count"] == 1
    problem = problems["results"][0]
    assert (problem["level"], problem["source"], problem["document"], problem["line"]) == (
        "error", "catalog-info.yaml", 2, 6
    )  # fmt: skip
    assert "Not A Name!" in problem["message"]
    assert (
        client.get(f"/api/v1/import-runs/{run['id']}/problems/", {"level": "warning"}).json()[
            "count"
        ]
        == 0
    )
    # and the list shows the location's last run
    listed = client.get("/api/v1/locations/").json()["results"][0]
    assert listed["last_run"] == {"id": run["id"], "status": "succeeded"}
    assert (
        client.get("/api/v1/import-runs/", {"location": "cart-file", "status": "succeeded"}).json()[
            "count"
        ]
        == 1
    )
    assert client.get("/api/v1/import-runs/", {"status": "failed"}).json()["count"] == 0


def test_only_the_owners_or_staff_import(team, member, outsider, staff):
    upload_location(member, owner_team=team)
    upload_location(staff, slug="staff-file")
    assert _client(outsider).post("/api/v1/locations/cart-file/import/").status_code == 403
    assert _client(member).post("/api/v1/locations/staff-file/import/").status_code == 403
    assert _client(staff).post("/api/v1/locations/cart-file/import/").status_code == 202
    assert ImportRun.objects.count() == 1


def test_problems_are_paginated(team, member):
    content = "".join(f"---\nkind: Component\nmetadata: {{name: Bad {i}}}\n" for i in range(3))
    location = upload_location(member, owner_team=team, content=content)
    run = _client(member).post(f"/api/v1/locations/{location.slug}/import/").json()
    page = (
        _client(member).get(f"/api/v1/import-runs/{run['id']}/problems/", {"page_size": 2}).json()
    )
    assert page["count"] == 6 and len(page["results"]) == 2 and page["next"]  # two each


def test_unknown_runs_are_404(member):
    client = _client(member)
    for url in ("/api/v1/import-runs/999999/", "/api/v1/import-runs/999999/problems/"):
        assert client.get(url).status_code == 404
    assert client.get("/api/v1/import-runs/", {"status": "lost"}).status_code == 400


# --- entities -------------------------------------------------------------------------------


def _imported(member, team):
    location = upload_location(member, owner_team=team)
    _client(member).post(f"/api/v1/locations/{location.slug}/import/")
    return location


def test_entities_list_filter_and_detail_by_reference(team, member):
    _imported(member, team)
    client = _client(member)
    refs = lambda **q: [r["ref"] for r in client.get("/api/v1/entities/", q).json()["results"]]  # noqa: E731
    assert refs(
        kind="COMPONENT", namespace="default", location="cart-file", owner_team="payments"
    ) == ["component:default/cart"]
    assert refs(kind="api") == [] and refs(orphaned="true") == []
    detail = client.get("/api/v1/entities/component/default/cart/")
    assert detail.status_code == 200
    body = detail.json()
    assert body["target"] == {"type": "service", "name": "cart", "url": "/services/cart/"}
    assert body["descriptor"]["metadata"]["name"] == "cart" and body["orphaned"] is False
    assert client.get("/api/v1/entities/component/default/nothing/").status_code == 404


def test_deleting_a_location_keeps_its_entities_as_recorded_orphans(team, member):
    _imported(member, team)
    response = _client(member).delete("/api/v1/locations/cart-file/")
    assert response.status_code == 204
    entity = Entity.objects.get(ref="component:default/cart")
    assert entity.location is None and entity.orphaned_at is not None
    record = ChangeRecord.objects.filter(object_id=entity.pk, after__orphaned=True).get()
    assert record.after["location"] == "cart-file"
    orphans = _client(member).get("/api/v1/entities/", {"orphaned": "true"}).json()["results"]
    assert [o["ref"] for o in orphans] == ["component:default/cart"]
    assert _client(member).get("/api/v1/entities/", {"orphaned": "false"}).json()["results"] == []
    # a value that is neither is refused, not read as "every entity"
    refused = _client(member).get("/api/v1/entities/", {"orphaned": "maybe"})
    assert refused.status_code == 400 and refused.json() == {"orphaned": ["Give true or false."]}


# --- export ---------------------------------------------------------------------------------


def test_the_export_in_yaml_and_json_filtered_by_kind_and_team(team, member, service):
    _imported(member, team)
    client = _client(member)
    as_yaml = client.get("/api/v1/export/", {"format": "yaml", "kind": "component"})
    assert as_yaml.status_code == 200 and as_yaml["Content-Type"].startswith("application/yaml")
    names = [d["metadata"]["name"] for d in yaml.safe_load_all(as_yaml.content)]
    assert sorted(names) == ["cart", "checkout"]
    as_json = client.get("/api/v1/export/", {"format": "json", "owner_team": "payments"})
    assert as_json["Content-Type"].startswith("application/json")
    by_name = {e["metadata"]["name"]: e for e in json.loads(as_json.content)}
    assert {"cart", "checkout", "payments"} <= set(by_name)
    assert {"type": "ownedBy", "targetRef": "group:default/payments"} in by_name["cart"][
        "relations"
    ]
    other = client.get("/api/v1/export/", {"format": "json", "owner_team": "search"})
    assert json.loads(other.content) == []
    bad = client.get("/api/v1/export/", {"format": "xml"})
    assert bad.status_code == 400 and bad.json()["format"]


def test_no_interface_shows_an_imported_users_email(staff, client):
    content = (
        "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: jane}\n"
        "spec: {profile: {email: jane@example.com, displayName: Jane}, memberOf: []}\n"
    )
    location = upload_location(staff, content=content)
    _client(staff).post(f"/api/v1/locations/{location.slug}/import/")
    entity = Entity.objects.get(ref="user:default/jane")
    assert "jane@example.com" in json.dumps(entity.descriptor)  # stored as declared
    client.force_login(staff)
    query = '{ entity(ref: "user:default/jane") { descriptor } }'
    for response in (
        _client(staff).get("/api/v1/entities/user/default/jane/"),
        _client(staff).get("/api/v1/entities/"),
        client.get(entity.get_absolute_url()),
        client.post("/graphql/", {"query": query}, content_type="application/json"),
    ):
        assert response.status_code == 200
        assert b"Jane" in response.content and b"jane@example.com" not in response.content


def test_a_repeated_registration_with_an_idempotency_key_answers_once(team, member):
    client = _client(member)
    headers = {"HTTP_IDEMPOTENCY_KEY": "2f1c6a0e-5b1e-4b7e-9d64-1f2a3b4c5d6e"}
    first = client.post("/api/v1/locations/", _upload(owner_team="payments"), **headers)
    again = client.post("/api/v1/locations/", _upload(owner_team="payments"), **headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json() and Location.objects.count() == 1
