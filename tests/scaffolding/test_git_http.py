"""The local provider's repositories over git's smart HTTP protocol, with a real git clone."""

import base64
import subprocess

import pytest

from accounts.factories import ApiTokenFactory
from scaffolding.gitops import author_line
from scaffolding.providers.local import LocalProvider

RUN = "6f1d3c9e-2b7a-4d0e-9a51-3f4c2e8b7d10"


@pytest.fixture
def repository(tmp_path, db):
    folder = tmp_path / "src"
    (folder / "pkg").mkdir(parents=True)
    (folder / "README.md").write_text("# Orders\n")
    (folder / "pkg" / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (folder / "pkg" / "run.sh").chmod(0o755)
    provider = LocalProvider()
    info = provider.create("orders", run_id=RUN, description="Orders")
    commit, _ = provider.push(
        info, folder, message="First\n", author=author_line("Ann", "ann@example.com")
    )
    return commit


def git(*args, cwd=None):
    env = {"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    return subprocess.run(
        ["git", "-c", "credential.helper=", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def basic(user, secret):
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


@pytest.mark.django_db(transaction=True)
def test_git_clone_over_http_with_a_token(live_server, repository, member, tmp_path):
    token = ApiTokenFactory(user=member)
    host = live_server.url.removeprefix("http://")
    url = f"http://{member.username}:{token.key}@{host}/git/orders.git"

    cloned = git("clone", url, str(tmp_path / "clone"))

    assert cloned.returncode == 0, cloned.stderr
    assert (tmp_path / "clone" / "README.md").read_text() == "# Orders\n"
    assert (tmp_path / "clone" / "pkg" / "run.sh").stat().st_mode & 0o111
    head = git("rev-parse", "HEAD", cwd=tmp_path / "clone").stdout.strip()
    assert head == repository
    assert (
        git("log", "--format=%an <%ae>", cwd=tmp_path / "clone").stdout.strip()
        == "Ann <ann@example.com>"
    )


@pytest.mark.django_db(transaction=True)
def test_git_clone_without_credentials_is_refused(live_server, repository, tmp_path):
    cloned = git("clone", f"{live_server.url}/git/orders.git", str(tmp_path / "clone"))
    assert cloned.returncode != 0
    assert "Authentication failed" in cloned.stderr or "could not read Username" in cloned.stderr


def test_wrong_token_gets_a_basic_challenge(client, repository, member):
    ApiTokenFactory(user=member)
    response = client.get(
        "/git/orders.git/info/refs?service=git-upload-pack",
        HTTP_AUTHORIZATION=basic(member.username, "not-the-token"),
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Basic realm="Keel git"')


def test_a_token_works_only_with_its_own_username(client, repository, member, outsider):
    token = ApiTokenFactory(user=member)
    response = client.get(
        "/git/orders.git/info/refs?service=git-upload-pack",
        HTTP_AUTHORIZATION=basic(outsider.username, token.key),
    )
    assert response.status_code == 401


def test_the_smart_protocol_advertises_refs(client, repository, member):
    token = ApiTokenFactory(user=member)
    response = client.get(
        "/git/orders.git/info/refs?service=git-upload-pack",
        HTTP_AUTHORIZATION=basic(member.username, token.key),
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-git-upload-pack-advertisement"
    assert repository.encode() in response.content


def test_a_signed_in_session_may_read(client, repository, member):
    client.force_login(member)
    response = client.get("/git/orders.git/info/refs?service=git-upload-pack")
    assert response.status_code == 200


def test_a_browser_session_cannot_push(client, repository, member):
    client.force_login(member)
    response = client.get("/git/orders.git/info/refs?service=git-receive-pack")
    assert response.status_code == 403
    assert client.post("/git/orders.git/git-receive-pack").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/git/..%2F..%2Fetc.git/info/refs?service=git-upload-pack",
        "/git/--upload-pack=x.git/info/refs?service=git-upload-pack",
        "/git/missing.git/info/refs?service=git-upload-pack",
        "/git/orders.git/HEAD",
        "/git/orders.git/objects/info/packs",
    ],
)
def test_unsafe_or_unknown_paths_are_not_found(client, repository, member, path):
    client.force_login(member)
    assert client.get(path).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_services_team_pushes_with_a_write_token_and_others_cannot(
    live_server, repository, member, outsider, tmp_path
):
    from catalog.factories import ServiceFactory
    from scaffolding.signals import repository_pushed
    from teams.models import Team

    ServiceFactory(slug="orders", owner_team=Team.objects.get(slug="payments"))
    host = live_server.url.removeprefix("http://")
    pushes = []
    repository_pushed.connect(lambda sender, **kw: pushes.append(kw), weak=False, dispatch_uid="t")

    def clone_as(user, name, scope="write"):
        token = ApiTokenFactory(user=user, scope=scope)
        folder = tmp_path / name
        assert git("clone", f"http://{user.username}:{token.key}@{host}/git/orders.git",
                   str(folder)).returncode == 0  # fmt: skip
        (folder / "README.md").write_text(f"# {name}\n")
        git("-c", "user.name=A", "-c", "user.email=a@x.org", "commit", "-qam", name, cwd=folder)
        return folder

    try:
        refused = git("push", "origin", "main", cwd=clone_as(outsider, "outsider"))
        read_only = git("push", "origin", "main", cwd=clone_as(member, "reader", scope="read"))
        pushed = git("push", "origin", "main", cwd=clone_as(member, "member"))
    finally:
        repository_pushed.disconnect(dispatch_uid="t")

    assert refused.returncode != 0 and "Only members of team payments" in refused.stderr
    assert read_only.returncode != 0 and "read-and-write" in read_only.stderr
    assert pushed.returncode == 0, pushed.stderr
    head = git("rev-parse", "HEAD", cwd=tmp_path / "member").stdout.strip()
    assert pushes == [{"signal": repository_pushed, "slug": "orders", "ref": "refs/heads/main",
                       "commit": head, "pusher": member}]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_push_may_not_rewrite_or_delete_a_branch(live_server, repository, staff, tmp_path):
    token = ApiTokenFactory(user=staff)
    host = live_server.url.removeprefix("http://")
    folder = tmp_path / "clone"
    git("clone", f"http://staff:{token.key}@{host}/git/orders.git", str(folder))
    git("-c", "user.name=A", "-c", "user.email=a@x.org", "commit", "-q", "--amend", "-m", "x",
        cwd=folder)  # fmt: skip

    rewritten = git("push", "--force", "origin", "main", cwd=folder)
    deleted = git("push", "origin", ":main", cwd=folder)

    assert rewritten.returncode != 0 and "non-fast-forward" in rewritten.stderr
    assert deleted.returncode != 0 and "deletion prohibited" in deleted.stderr
