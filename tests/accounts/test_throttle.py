"""Repeated refused tokens from one address: 429 with Retry-After, for REST, GraphQL and git."""

import pytest

from accounts import throttle

from .conftest import basic

SERVICES = "/api/v1/services/"
GIT = "/git/orders.git/info/refs?service=git-upload-pack"


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.KEEL_BAD_TOKEN_LIMIT = 3
    settings.KEEL_BAD_TOKEN_WINDOW_SECONDS = 300


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, set by the test: 1,000,000 is 100 s into a 300 s window."""
    now = {"t": 1_000_000.0}
    monkeypatch.setattr(throttle.time, "time", lambda: now["t"])
    return now


def test_bad_tokens_from_one_address_end_in_429_with_retry_after(
    service, write_token, token_client, clock
):
    refused = [token_client("keel_guess").get(SERVICES).status_code for _ in range(3)]

    throttled = token_client("keel_guess").get(SERVICES)
    # a right token from the same address waits too: guessing cannot go on between refusals
    right_token_here = token_client(write_token.key).get(SERVICES)
    right_token_elsewhere = token_client(write_token.key, address="10.0.0.2").get(SERVICES)

    assert all(status in (401, 403) for status in refused)
    assert throttled.status_code == 429
    assert throttled["Retry-After"] == "200"
    assert "Too many refused tokens" in throttled.json()["detail"]
    assert right_token_here.status_code == 429
    assert right_token_elsewhere.status_code == 200


def test_the_window_ends(service, write_token, token_client, clock):
    for _ in range(3):
        token_client("keel_guess").get(SERVICES)
    assert token_client(write_token.key).get(SERVICES).status_code == 429

    clock["t"] += 200
    assert token_client(write_token.key).get(SERVICES).status_code == 200


def test_good_tokens_do_not_count(service, write_token, token_client, clock):
    for _ in range(5):
        assert token_client(write_token.key).get(SERVICES).status_code == 200


def test_graphql_answers_429_with_retry_after(client, service, clock):
    def post():
        return client.post(
            "/graphql/",
            {"query": "{ services { totalCount } }"},
            content_type="application/json",
            HTTP_AUTHORIZATION="Token keel_guess",
            REMOTE_ADDR="10.0.0.3",
        )

    statuses = [post().status_code for _ in range(3)]
    throttled = post()

    assert statuses == [401, 401, 401]
    assert throttled.status_code == 429 and throttled["Retry-After"] == "200"
    assert "Too many refused tokens" in throttled.json()["errors"][0]["message"]


def test_git_passwords_count_and_get_429(client, member, write_token, clock):
    def fetch(secret, user=member.username):
        return client.get(GIT, HTTP_AUTHORIZATION=basic(user, secret), REMOTE_ADDR="10.0.0.4")

    statuses = [
        fetch("wrong").status_code,
        fetch("keel_guess").status_code,
        fetch(write_token.key, user="someone-else").status_code,  # right key, wrong user
    ]
    throttled = fetch(write_token.key)

    assert statuses == [401, 401, 401]
    assert throttled.status_code == 429 and throttled["Retry-After"] == "200"


@pytest.mark.parametrize(
    ("remote", "forwarded", "proxies", "expected"),
    [
        ("10.0.0.1", "", 0, "10.0.0.1"),
        ("10.0.0.1", "203.0.113.9", 0, "10.0.0.1"),  # no proxy trusted: the header is the client's
        ("10.0.0.1", "spoofed, 203.0.113.9", 1, "203.0.113.9"),
        ("10.0.0.1", "not-an-address", 1, "10.0.0.1"),
        ("", "", 0, None),
    ],
)
def test_the_client_address(rf, settings, remote, forwarded, proxies, expected):
    settings.KEEL_TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert throttle.client_address(request) == expected
