"""Push webhooks: believed only with the location's secret, and a push queues a read."""

import hashlib
import hmac
import json
from pathlib import Path

import pytest

from descriptors import actions
from descriptors.models import ImportRun, Location
from portal.models import ChangeRecord, Interface

RECORDINGS = Path(__file__).parent / "recordings"
SECRET = "s3cret-for-hooks"


def body_of(name: str) -> bytes:
    return (RECORDINGS / f"{name}.json").read_bytes()


def signed(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture
def queued(monkeypatch):
    """The runs whose task was sent (the read itself is the sync tests' concern)."""
    from descriptors import syncing

    sent = []
    monkeypatch.setattr(syncing, "send", sent.append)
    return sent


def location(staff, slug="orders", **fields):
    fields = {
        "type": Location.Type.GIT,
        "target": "https://github.com/acme/orders.git",
        "secret": SECRET,
        **fields,
    }
    return actions.create_location(actor=staff, via=Interface.API, slug=slug, name=slug, **fields)


def github(client, slug, body, *, event="push", signature=None, **headers):
    if signature is not None:
        headers["HTTP_X_HUB_SIGNATURE_256"] = signature
    return client.post(
        f"/hooks/descriptors/{slug}/", body, content_type="application/json",
        HTTP_X_GITHUB_EVENT=event, **headers,
    )  # fmt: skip


def gitlab(client, slug, body, *, token=None, event="Push Hook"):
    headers = {"HTTP_X_GITLAB_EVENT": event}
    if token is not None:
        headers["HTTP_X_GITLAB_TOKEN"] = token
    return client.post(
        f"/hooks/descriptors/{slug}/", body, content_type="application/json", **headers
    )


def test_a_signed_github_push_queues_a_read_with_trigger_push(
    client, staff, queued, django_capture_on_commit_callbacks
):
    loc = location(staff)
    body = body_of("github_push")

    with django_capture_on_commit_callbacks(execute=True):
        response = github(client, "orders", body, signature=signed(body))

    assert response.status_code == 202
    run = loc.runs.get()
    assert response.json()["run"] == run.pk
    assert (run.trigger, run.status, queued) == (ImportRun.Trigger.PUSH, "queued", [run])


def test_pushes_while_a_read_waits_join_it(
    client, staff, queued, django_capture_on_commit_callbacks
):
    loc = location(staff)
    body = body_of("github_push")

    with django_capture_on_commit_callbacks(execute=True):
        answers = {
            github(client, "orders", body, signature=signed(body)).json()["run"] for _ in "abc"
        }

    assert len(answers) == 1 and loc.runs.count() == 1 and len(queued) == 1


@pytest.mark.parametrize(
    "signature, status",
    [
        (None, 401),  # unsigned
        ("", 401),
        ("sha256=" + "0" * 64, 403),  # wrong
        (signed(body_of("github_push"), secret="another"), 403),  # another secret
        ("sha1=" + "0" * 40, 403),  # the old SHA-1 header's format
    ],
)
def test_an_unsigned_or_badly_signed_push_changes_nothing(client, staff, queued, signature, status):
    loc = location(staff)
    before = ChangeRecord.objects.count()

    response = github(client, "orders", body_of("github_push"), signature=signature)

    assert response.status_code == status
    assert not loc.runs.exists() and not queued and ChangeRecord.objects.count() == before


def test_a_replayed_signature_with_a_changed_body_is_refused(client, staff, queued):
    loc = location(staff)
    body = body_of("github_push")
    changed = body.replace(b'"refs/heads/main"', b'"refs/heads/evil"')

    response = github(client, "orders", changed, signature=signed(body))

    assert response.status_code == 403 and not loc.runs.exists()


def test_a_location_without_a_secret_accepts_no_webhook(client, staff, queued):
    loc = location(staff, secret="")
    body = body_of("github_push")

    assert github(client, "orders", body, signature=signed(body, secret="")).status_code == 403
    assert not loc.runs.exists()


def test_a_ping_is_answered_without_a_read(client, staff, queued):
    loc = location(staff)
    body = body_of("github_ping")

    response = github(client, "orders", body, event="ping", signature=signed(body))

    assert response.status_code == 204 and not loc.runs.exists()


def test_a_push_to_another_repository_or_branch_is_ignored(client, staff, queued):
    other = location(staff, slug="billing", target="https://github.com/acme/billing.git")
    pinned = location(staff, slug="pinned", ref="release")
    body = body_of("github_push")

    for loc in (other, pinned):
        response = github(client, loc.slug, body, signature=signed(body))
        assert response.status_code == 202 and response.json()["ignored"] is True
        assert not loc.runs.exists()
    assert "reads release" in response.json()["detail"]


def test_a_push_that_deleted_the_branch_is_ignored(client, staff, queued):
    loc = location(staff)
    payload = json.loads(body_of("github_push"))
    body = json.dumps({**payload, "after": "0" * 40, "deleted": True}).encode()

    response = github(client, "orders", body, signature=signed(body))

    assert response.status_code == 202 and "deleted" in response.json()["detail"]
    assert not loc.runs.exists()


def test_a_github_organisation_location_reads_pushes_to_its_repositories(
    client, staff, queued, django_capture_on_commit_callbacks
):
    acme = location(staff, slug="acme", type=Location.Type.GITHUB, target="acme")
    beta = location(staff, slug="beta", type=Location.Type.GITHUB, target="beta")
    body = body_of("github_push")

    with django_capture_on_commit_callbacks(execute=True):
        assert github(client, "acme", body, signature=signed(body)).status_code == 202
        assert github(client, "beta", body, signature=signed(body)).json()["ignored"] is True

    assert acme.runs.count() == 1 and not beta.runs.exists()


def test_gitlab_pushes_are_believed_with_the_secret_token(
    client, staff, queued, django_capture_on_commit_callbacks
):
    loc = location(staff, type=Location.Type.GITLAB, target="platform/services")
    body = body_of("gitlab_push")

    assert gitlab(client, "orders", body).status_code == 401
    assert gitlab(client, "orders", body, token="wrong").status_code == 403
    assert gitlab(client, "orders", body, token=SECRET, event="Issue Hook").status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        assert gitlab(client, "orders", body, token=SECRET).status_code == 202

    assert list(loc.runs.values_list("trigger", flat=True)) == ["push"]


def test_bad_bodies_and_unknown_locations_get_a_clear_answer(client, staff, queued, settings):
    location(staff)
    settings.KEEL_DESCRIPTOR_WEBHOOK_MAX_BYTES = 100
    big = b"{" + b" " * 200 + b"}"
    not_json = b"not json at all"

    location(staff, slug="folder", type=Location.Type.PATH, target="/srv/catalog")
    assert github(client, "missing", b"{}", signature=signed(b"{}")).status_code == 404
    assert github(client, "folder", b"{}", signature=signed(b"{}")).status_code == 404
    assert github(client, "orders", big, signature=signed(big)).status_code == 413
    refused = github(client, "orders", not_json, signature=signed(not_json))
    assert refused.status_code == 400 and "not JSON" in refused.json()["detail"]
    assert client.get("/hooks/descriptors/orders/").status_code == 405
