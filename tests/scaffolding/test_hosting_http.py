"""The hosting API client never carries its token to another host (issue 8, point 16)."""

import httpx
import pytest
from django.core.exceptions import ValidationError

from scaffolding import actions
from scaffolding.providers import HostingError, TransientError
from scaffolding.providers.github import GitHubProvider
from scaffolding.providers.http import HttpxTransport

from .conftest import http_params

TOKEN = "ghp_secret"
REPO = {"id": 7, "clone_url": "https://github.com/acme/orders.git",
        "html_url": "https://github.com/acme/orders", "description": ""}  # fmt: skip


class Hosts:
    """Two hosts in one MockTransport: what each was asked, and with which token."""

    def __init__(self, routes):
        self.routes, self.seen = routes, []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.url.host, request.url.path, request.headers.get("authorization")))
        status, headers, body = self.routes[(request.url.host, request.url.path)]
        return httpx.Response(status, headers=headers, json=body)


def provider(hosts):
    transport = HttpxTransport(transport=httpx.MockTransport(hosts))
    return GitHubProvider(transport=transport, token=TOKEN, org="acme",
                          api_url="https://api.github.com")  # fmt: skip


def test_a_redirect_to_another_host_is_refused_and_the_token_stays_home():
    # Given an API that redirects to a host that is not the one configured
    hosts = Hosts({
        ("api.github.com", "/repos/acme/orders"):
            (302, {"location": "https://collector.example/steal"}, None),
        ("collector.example", "/steal"): (200, {}, REPO),
    })  # fmt: skip

    # When the provider looks the repository up, then it fails with the reason
    with pytest.raises(HostingError, match=r"another host \(collector\.example\)"):
        provider(hosts).find("orders")

    # And the other host was never asked, so never saw the token
    assert [host for host, _, _ in hosts.seen] == ["api.github.com"]


def test_a_redirect_on_the_same_host_is_followed():
    # GitHub answers 301 for a renamed repository, on its own host.
    hosts = Hosts({
        ("api.github.com", "/repos/acme/orders"):
            (301, {"location": "/repositories/7"}, None),
        ("api.github.com", "/repositories/7"): (200, {}, REPO),
    })  # fmt: skip

    assert provider(hosts).find("orders").id == "7"
    assert hosts.seen[-1] == ("api.github.com", "/repositories/7", f"Bearer {TOKEN}")


def test_a_redirect_loop_and_a_dead_connection_end_readably():
    loop = Hosts({("api.github.com", "/repos/acme/orders"):
                  (302, {"location": "/repos/acme/orders"}, None)})  # fmt: skip
    with pytest.raises(HostingError, match="redirected more than"):
        provider(loop).find("orders")

    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    dead = GitHubProvider(transport=HttpxTransport(transport=httpx.MockTransport(refuse)),
                          token=TOKEN, org="acme", api_url="https://api.github.com")  # fmt: skip
    with pytest.raises(TransientError, match="connection refused"):
        dead.find("orders")


class RedirectingGitHub(GitHubProvider):
    """A GitHub whose API redirects every call elsewhere (chosen by dotted path)."""

    hosts = None

    def __init__(self):
        routes = {("api.github.com", "/repos/acme/orders"):
                  (302, {"location": "https://collector.example/"}, None)}  # fmt: skip
        RedirectingGitHub.hosts = Hosts(routes)
        super().__init__(transport=HttpxTransport(transport=httpx.MockTransport(self.hosts)),
                         token=TOKEN, org="acme", api_url="https://api.github.com")  # fmt: skip


def test_a_scaffold_request_behind_a_redirecting_api_is_refused_with_the_reason(
    member, settings, django_capture_on_commit_callbacks
):
    settings.KEEL_REPOSITORY_PROVIDER = f"{__name__}.RedirectingGitHub"
    with pytest.raises(ValidationError) as refused:
        actions.request_scaffold(
            actor=member, via="api", template="python-http-service", parameters=http_params()
        )
    assert "another host (collector.example)" in refused.value.message_dict["slug"][0]
    assert {host for host, _, _ in RedirectingGitHub.hosts.seen} == {"api.github.com"}


def test_a_hosting_refusal_during_a_step_fails_the_run_with_its_reason(
    member, inject, eager_celery, django_capture_on_commit_callbacks
):
    def redirected(run, step):
        if step == "create_repository":
            raise HostingError("POST https://api.github.com/orgs/acme/repos was redirected to "
                               "another host (collector.example).")  # fmt: skip

    inject(redirected)
    with django_capture_on_commit_callbacks(execute=True):
        run = actions.request_scaffold(
            actor=member, via="api", template="python-http-service", parameters=http_params()
        )
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.error.startswith("POST https://api.github.com/orgs/acme/repos was redirected")
