"""GitHub and GitLab push webhooks: signatures, payloads, and which location a push concerns."""

import hashlib
import hmac
import json
from pathlib import Path

import pytest

from descriptors.git_checkout import SourceError
from descriptors.push_events import (
    Push,
    concerns,
    parse_push,
    repository_key,
    verify_github,
    verify_gitlab,
)

RECORDINGS = Path(__file__).parent / "recordings"
SECRET = "a-long-random-webhook-secret"
GITHUB_PUSH = (RECORDINGS / "github_push.json").read_bytes()
GITLAB_PUSH = (RECORDINGS / "gitlab_push.json").read_bytes()


def signature(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_a_github_signature_is_accepted_only_for_its_body_and_secret():
    good = signature(GITHUB_PUSH)

    assert verify_github(SECRET, GITHUB_PUSH, good)
    assert not verify_github(SECRET, GITHUB_PUSH.replace(b"main", b"evil"), good)  # replayed
    assert not verify_github("another-secret", GITHUB_PUSH, good)
    assert not verify_github(SECRET, GITHUB_PUSH, good.upper())
    assert not verify_github(SECRET, GITHUB_PUSH, good.removeprefix("sha256="))
    assert not verify_github(SECRET, GITHUB_PUSH, "sha1=" + good.removeprefix("sha256="))


@pytest.mark.parametrize("header", [None, "", "sha256=", "sha256=ünicode"])
def test_a_missing_or_garbled_github_signature_is_refused(header):
    assert not verify_github(SECRET, GITHUB_PUSH, header)


def test_an_empty_secret_accepts_nothing():
    assert not verify_github("", GITHUB_PUSH, signature(GITHUB_PUSH, ""))
    assert not verify_gitlab("", "")


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        (SECRET, True),
        (SECRET + "x", False),
        (SECRET[:-1], False),
        (None, False),
        ("ünicode", False),
    ],
)
def test_a_gitlab_token_must_be_the_secret(header, accepted):
    assert verify_gitlab(SECRET, header) is accepted


def test_a_github_push_gives_its_repository_ref_and_commit():
    push = parse_push("github", {"X-GitHub-Event": "push"}, GITHUB_PUSH)

    assert push == Push(
        repository_urls=frozenset(
            {"https://github.com/Acme/Orders.git", "https://github.com/Acme/Orders"}
        ),
        ref="refs/heads/main",
        commit="0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
    )


def test_a_gitlab_push_gives_its_repository_ref_and_commit():
    push = parse_push("gitlab", {"X-Gitlab-Event": "Push Hook"}, GITLAB_PUSH)

    assert push.ref == "refs/heads/main"
    assert push.commit == "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"
    assert push.repository_urls == {
        "https://gitlab.example.com/platform/services/orders.git",
        "https://gitlab.example.com/platform/services/orders",
    }  # the ssh addresses are left out


def test_a_push_that_deletes_a_branch_has_no_commit():
    body = json.loads(GITHUB_PUSH)
    body.update(after="0" * 40, deleted=True)
    push = parse_push("github", {"x-github-event": "push"}, json.dumps(body).encode())
    assert (push.ref, push.commit) == ("refs/heads/main", "")


@pytest.mark.parametrize(
    ("provider", "event", "body"),
    [
        ("github", "ping", (RECORDINGS / "github_ping.json").read_bytes()),
        ("github", "pull_request", b"{}"),
        ("gitlab", "Merge Request Hook", b"not even json"),
    ],
)
def test_events_that_are_not_pushes_are_ignored_before_parsing(provider, event, body):
    header = "X-GitHub-Event" if provider == "github" else "X-Gitlab-Event"
    assert parse_push(provider, {header: event}, body) is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b"payload=%7B%22ref%22%3A%22refs%2Fheads%2Fmain%22%7D",
            "not JSON; set the webhook's content type",
        ),
        (b"\xff\xfe{}", "not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
        (b'["refs/heads/main"]', "not an object"),
        (
            b'{"ref": 1, "repository": {"clone_url": "https://github.com/acme/orders.git"}}',
            "names no ref",
        ),
        (
            b'{"ref": "refs/heads/main", "repository": {"clone_url": "file:///etc"}}',
            "no http(s) address",
        ),
        (
            b'{"ref": "refs/heads/main", "repository": "https://github.com/acme/orders"}',
            "no http(s) address",
        ),
    ],
)
def test_a_malformed_push_is_refused_with_a_reason(body, message):
    with pytest.raises(SourceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_push("github", {"X-GitHub-Event": "push"}, body)


def test_a_body_over_the_limit_is_refused_before_parsing(settings):
    settings.KEEL_DESCRIPTOR_WEBHOOK_MAX_BYTES = 1000
    with pytest.raises(SourceError, match="larger than 1000 bytes"):
        parse_push("github", {"X-GitHub-Event": "push"}, GITHUB_PUSH)


def test_a_webhook_without_an_event_or_from_elsewhere_is_refused():
    with pytest.raises(SourceError, match="not a github webhook"):
        parse_push("github", {"X-Gitlab-Event": "Push Hook"}, GITHUB_PUSH)
    with pytest.raises(SourceError, match="not 'bitbucket'"):
        parse_push("bitbucket", {}, GITHUB_PUSH)


@pytest.mark.parametrize(
    "location",
    [
        "https://github.com/acme/orders.git",
        "https://github.com/acme/orders",
        "https://GitHub.com/Acme/Orders/",
        "https://github.com:443/acme/orders.git/",
        "http://github.com/acme/orders",
    ],
)
def test_a_push_concerns_every_spelling_of_its_repository(location):
    push = parse_push("github", {"X-GitHub-Event": "push"}, GITHUB_PUSH)
    assert concerns(push, location)


@pytest.mark.parametrize(
    "location",
    [
        "https://github.com/acme/orders-api.git",
        "https://github.com/acme",
        "https://github.com:8443/acme/orders.git",
        "https://gitlab.com/acme/orders.git",
        "git@github.com:acme/orders.git",
        "keel:orders",
        "",
    ],
)
def test_a_push_does_not_concern_other_repositories(location):
    push = parse_push("github", {"X-GitHub-Event": "push"}, GITHUB_PUSH)
    assert not concerns(push, location)


def test_repository_keys_drop_what_does_not_name_the_repository():
    assert repository_key("https://ci:token@GitLab.example.com/Platform/Orders.git") == (
        "gitlab.example.com/platform/orders"
    )
    assert repository_key("http://127.0.0.1:8000/git/orders.git") == "127.0.0.1:8000/git/orders"
    assert repository_key("https://host:notaport/x") == ""
