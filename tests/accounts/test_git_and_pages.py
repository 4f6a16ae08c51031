"""Tokens over git, and the clone lines that say how to authenticate."""

import pytest

from catalog.factories import ServiceFactory
from scaffolding.gitops import author_line
from scaffolding.models import ScaffoldRun
from scaffolding.providers.local import LocalProvider

from .conftest import basic

HERE = "http://127.0.0.1:8000"


@pytest.fixture
def repository(tmp_path, settings, db):
    settings.KEEL_REPOSITORY_ROOT = tmp_path / "repositories"
    settings.KEEL_BASE_URL = HERE
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "README.md").write_text("# Orders\n")
    provider = LocalProvider()
    info = provider.create("orders", run_id="6f1d3c9e-2b7a-4d0e-9a51-3f4c2e8b7d10", description="")
    provider.push(info, tmp_path / "src", message="First\n", author=author_line("A", "a@x.org"))


def test_a_read_only_token_fetches_but_cannot_push(client, repository, member, read_token):
    auth = basic(member.username, read_token.key)
    fetch = client.get("/git/orders.git/info/refs?service=git-upload-pack", HTTP_AUTHORIZATION=auth)
    push = client.get("/git/orders.git/info/refs?service=git-receive-pack", HTTP_AUTHORIZATION=auth)
    assert fetch.status_code == 200 and push.status_code == 403


def test_an_expired_token_is_no_git_password(client, repository, member, read_token):
    from django.utils import timezone

    read_token.__class__.objects.filter(pk=read_token.pk).update(expires_at=timezone.now())
    auth = basic(member.username, read_token.key)
    response = client.get(
        "/git/orders.git/info/refs?service=git-upload-pack", HTTP_AUTHORIZATION=auth
    )
    assert response.status_code == 401


def test_a_service_served_here_says_how_to_clone_it(client, member, team, settings):
    settings.KEEL_BASE_URL = HERE
    ServiceFactory(slug="orders", owner_team=team, repository_url=f"{HERE}/git/orders.git")
    ServiceFactory(slug="elsewhere", owner_team=team, repository_url="https://github.com/x/y")
    client.force_login(member)

    here = client.get("/services/orders/").content.decode()
    elsewhere = client.get("/services/elsewhere/").content.decode()

    assert f"git clone {HERE}/git/orders.git" in here
    assert "an API token as the password" in here and 'href="/accounts/tokens/"' in here
    assert "an API token as the password" not in elsewhere


def test_a_run_page_says_how_to_authenticate_the_clone(client, member, team, settings):
    settings.KEEL_BASE_URL = HERE
    run = ScaffoldRun.objects.create(
        slug="orders",
        template="python-http-service",
        template_version="1",
        owner_team=team,
        requested_by=member,
        status=ScaffoldRun.Status.SUCCEEDED,
        repository_url=f"{HERE}/git/orders.git",
    )
    client.force_login(member)

    page = client.get(f"/create/runs/{run.uuid}/").content.decode()

    assert f"git clone {HERE}/git/orders.git" in page
    assert "an API token as the password" in page and 'href="/accounts/tokens/"' in page
