"""GitHub and GitLab providers against recorded API responses (see recordings/README.md)."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from scaffolding.providers import RepositoryConflict, TransientError, get_provider
from scaffolding.providers.github import GitHubProvider
from scaffolding.providers.gitlab import GitLabProvider
from scaffolding.providers.http import ReplayTransport
from scaffolding.providers.local import LocalProvider

RECORDINGS = Path(__file__).parent / "recordings"
RUN = "6f1d3c9e-2b7a-4d0e-9a51-3f4c2e8b7d10"


def github(recording):
    transport = ReplayTransport.from_file(RECORDINGS / f"{recording}.json")
    return GitHubProvider(
        transport=transport, token="REDACTED", org="acme", api_url="https://api.github.com"
    ), transport


def gitlab(recording):
    transport = ReplayTransport.from_file(RECORDINGS / f"{recording}.json")
    provider = GitLabProvider(
        transport=transport, token="REDACTED", group_id=42, group_path="platform/services",
        api_url="https://gitlab.example.com/api/v4",
    )  # fmt: skip
    return provider, transport


def test_github_creates_a_private_repository_marked_with_the_run():
    provider, transport = github("github_create")

    info = provider.create("orders", run_id=RUN, description="Takes orders")

    assert info.id == "791234567" and info.clone_url == "https://github.com/acme/orders.git"
    assert info.run_marker == RUN
    assert transport.requests[0][2]["description"] == f"Takes orders [keel-run:{RUN}]"
    assert provider.pipeline_url(info) == "https://github.com/acme/orders/actions"
    assert not transport.interactions


def test_github_adopts_the_repository_this_run_created_before_a_retry():
    provider, transport = github("github_create_taken_by_us")
    assert provider.create("orders", run_id=RUN, description="Takes orders").id == "791234567"
    assert not transport.interactions


def test_github_refuses_someone_elses_repository():
    provider, _ = github("github_create_taken_by_others")
    with pytest.raises(RepositoryConflict, match="acme/orders already exists on GitHub"):
        provider.create("orders", run_id=RUN, description="Takes orders")


def test_github_deletes_only_what_the_run_created():
    provider, transport = github("github_delete")
    assert provider.delete("orders", run_id=RUN) is True
    assert not transport.interactions

    provider, transport = github("github_create_taken_by_others")
    transport.interactions.pop(0)  # only the GET: the repository is someone else's
    assert provider.delete("orders", run_id=RUN) is False
    assert [r[0] for r in transport.requests] == ["GET"]


def test_github_missing_outage_and_bad_token():
    provider, _ = github("github_find_missing_and_outage")
    assert provider.find("orders") is None
    with pytest.raises(TransientError, match="503"):
        provider.find("orders")
    with pytest.raises(PermissionError, match="KEEL_GITHUB_TOKEN"):
        provider.find("orders")


def test_gitlab_creates_finds_and_deletes_its_project():
    provider, transport = gitlab("gitlab_create_and_delete")

    info = provider.create("orders", run_id=RUN, description="Takes orders")
    assert info.id == "1234" and info.web_url.endswith("/platform/services/orders")
    assert provider.pipeline_url(info).endswith("/orders/-/pipelines")
    assert provider.delete("orders", run_id=RUN) is True
    assert not transport.interactions


def test_gitlab_refuses_someone_elses_project():
    provider, _ = gitlab("gitlab_create_taken_by_others")
    with pytest.raises(
        RepositoryConflict, match="platform/services/orders already exists on GitLab"
    ):
        provider.create("orders", run_id=RUN, description="Takes orders")


def test_a_hosted_provider_without_a_token_is_a_configuration_error(settings):
    settings.KEEL_GITHUB_TOKEN = ""
    with pytest.raises(ImproperlyConfigured, match="KEEL_GITHUB_TOKEN"):
        GitHubProvider(transport=ReplayTransport([]))


def test_the_provider_is_chosen_by_settings(settings):
    assert isinstance(get_provider(), LocalProvider)
    settings.KEEL_REPOSITORY_PROVIDER = "github"
    settings.KEEL_GITHUB_TOKEN, settings.KEEL_GITHUB_ORG = "t", "acme"
    assert isinstance(get_provider(), GitHubProvider)
    settings.KEEL_REPOSITORY_PROVIDER = "svn"
    with pytest.raises(ValueError, match="Unknown repository provider"):
        get_provider()


def test_the_local_provider_is_idempotent_per_run_and_refuses_others(tmp_path):
    provider = LocalProvider()
    first = provider.create("orders", run_id=RUN, description="Takes orders")
    assert provider.create("orders", run_id=RUN, description="Takes orders") == first
    with pytest.raises(RepositoryConflict):
        provider.create("orders", run_id="00000000-0000-0000-0000-000000000000", description="")
    assert provider.delete("orders", run_id="00000000-0000-0000-0000-000000000000") is False
    assert provider.delete("orders", run_id=RUN) is True
    assert provider.find("orders") is None


def test_a_hosted_provider_pushes_over_https_with_its_token(tmp_path, monkeypatch):
    """The push half of GitHub/GitLab, against a real git HTTP server (dulwich's) in a thread
    that records the credentials it was sent."""
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from dulwich.repo import Repo
    from dulwich.server import DictBackend
    from dulwich.web import make_wsgi_chain

    from scaffolding.gitops import author_line
    from scaffolding.providers.base import RepositoryInfo

    remote = Repo.init_bare(tmp_path / "remote.git", mkdir=True)
    app = make_wsgi_chain(DictBackend({"/acme/orders.git": remote}))
    seen = []

    def recording(environ, start_response):
        seen.append(environ.get("HTTP_AUTHORIZATION", ""))
        return app(environ, start_response)

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, recording, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        folder = tmp_path / "src"
        folder.mkdir()
        (folder / "README.md").write_text("# Orders\n")
        provider, _ = github("github_create")
        url = f"http://127.0.0.1:{server.server_port}/acme/orders.git"
        info = RepositoryInfo(id="1", clone_url=url, web_url=url, run_marker=RUN)

        commit, tree = provider.push(
            info, folder, message="First\n", author=author_line("Ann", "a@x")
        )
        again, _ = provider.push(info, folder, message="First\n", author=author_line("Ann", "a@x"))
    finally:
        server.shutdown()

    assert remote.refs[b"refs/heads/main"].decode() == commit == again
    assert remote[remote[commit.encode()].tree][b"README.md"]
    import base64

    assert f"Basic {base64.b64encode(b'x-access-token:REDACTED').decode()}" in seen
