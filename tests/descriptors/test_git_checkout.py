"""Checkouts of real repositories: Keel's own (from disk and over its smart-HTTP endpoint) and
hostile ones, built with dulwich in the test's folder."""

import random
import socket
import stat

import pytest
from dulwich.objects import Blob, Tree
from dulwich.repo import Repo

from accounts.factories import ApiTokenFactory
from descriptors.git_checkout import (
    SourceError,
    SourceUnavailable,
    checkout,
    keel_repository_slug,
    resolve_source,
)
from scaffolding.gitops import BRANCH, make_commit
from scaffolding.providers.local import LocalProvider, repository_path

RUN = "6f1d3c9e-2b7a-4d0e-9a51-3f4c2e8b7d10"
AUTHOR = b"Ann <ann@example.com>"
DESCRIPTOR = b"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: orders\n"


@pytest.fixture(autouse=True)
def keel_repositories(settings, tmp_path):
    settings.KEEL_REPOSITORY_ROOT = tmp_path / "repositories"
    # Nothing listens here: a Keel address that went over HTTP would fail.
    settings.KEEL_BASE_URL = "http://127.0.0.1:9/portal"


def tree_of(store, entries: dict) -> bytes:
    """A tree from ``{name: bytes | dict | ("link", target) | Tree id}``, stored in ``store``."""
    tree = Tree()
    for name, value in entries.items():
        if isinstance(value, dict):
            tree.add(name.encode(), stat.S_IFDIR, tree_of(store, value))
        elif isinstance(value, tuple):
            blob = Blob.from_string(value[1].encode())
            store.add_object(blob)
            tree.add(name.encode(), 0o120000, blob.id)
        else:
            blob = Blob.from_string(value)
            store.add_object(blob)
            tree.add(name.encode(), 0o100644, blob.id)
    store.add_object(tree)
    return tree.id


def hosted(slug: str, files: dict, *, refs=(BRANCH,)) -> str:
    """A Keel-hosted repository holding ``files`` on each of ``refs``; returns the commit id."""
    LocalProvider().create(slug, run_id=RUN, description=slug)
    repo = Repo(str(repository_path(slug)))
    commit = make_commit(
        repo.object_store, tree_of(repo.object_store, files), message="x", author=AUTHOR
    )
    for ref in refs:
        repo.refs[ref] = commit.id
    repo.close()
    return commit.id.decode()


def test_a_keel_repository_is_read_from_disk_by_name_or_by_the_address_keel_gives(tmp_path):
    commit = hosted(
        "orders", {"catalog-info.yaml": DESCRIPTOR, "docs": {"api.yaml": b"openapi: 3.0.0\n"}}
    )

    by_name = checkout("keel:orders", dest=tmp_path / "a")
    by_address = checkout("http://127.0.0.1:9/portal/git/orders.git", dest=tmp_path / "b")

    for result in (by_name, by_address):
        assert (result.commit_sha, result.ref) == (commit, "refs/heads/main")
        assert (result.path / "catalog-info.yaml").read_bytes() == DESCRIPTOR
        assert (result.path / "docs" / "api.yaml").read_bytes() == b"openapi: 3.0.0\n"
        assert not (result.path / ".git").exists()


def test_a_branch_a_tag_and_a_commit_id_can_be_checked_out(tmp_path):
    commit = hosted(
        "orders", {"a": b"1"}, refs=(BRANCH, b"refs/heads/release/1.2", b"refs/tags/v1")
    )

    assert (
        checkout("keel:orders", ref="release/1.2", dest=tmp_path / "a").ref
        == "refs/heads/release/1.2"
    )
    assert checkout("keel:orders", ref="v1", dest=tmp_path / "b").ref == "refs/tags/v1"
    by_sha = checkout("keel:orders", ref=commit, dest=tmp_path / "c")
    assert (by_sha.commit_sha, by_sha.ref) == (commit, commit)


def test_a_ref_that_does_not_exist_is_named_in_the_refusal(tmp_path):
    hosted("orders", {"a": b"1"})
    with pytest.raises(SourceError, match="keel:orders has no branch or tag named 'develop'"):
        checkout("keel:orders", ref="develop", dest=tmp_path / "a")


def test_an_empty_or_missing_keel_repository_is_refused(tmp_path):
    LocalProvider().create("empty", run_id=RUN, description="")
    with pytest.raises(SourceError, match="keel:empty is empty"):
        checkout("keel:empty", dest=tmp_path / "a")
    with pytest.raises(SourceError, match="Keel hosts no repository named 'missing'"):
        checkout("keel:missing", dest=tmp_path / "b")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc",
        "ext::sh -c touch% /tmp/pwned",
        "ssh://git@github.com/acme/orders.git",
        "git@github.com:acme/orders.git",
        "git://github.com/acme/orders.git",
        "-uhttps://github.com/acme/orders.git",
        "--upload-pack=touch /tmp/pwned",
        "https://github.com/acme/orders.git\n--upload-pack=x",
        "https://github.com/acme/orders.git\r",
        "https://x-access-token:secret@github.com/acme/orders.git",
        "https:///orders.git",
        "keel:../../etc",
        "keel:--upload-pack=x",
        "",
    ],
)
def test_addresses_other_than_http_or_keel_are_refused_before_git_runs(url, tmp_path):
    with pytest.raises(SourceError) as refusal:
        checkout(url, dest=tmp_path / "a")
    assert "secret" not in refusal.value.message
    assert not (tmp_path / "a").exists()  # refused before anything was made


@pytest.mark.parametrize(
    "ref", ["--upload-pack=x", "-b", "main:refs/heads/evil", "+main", "a..b", "main@{1}", "a b"]
)
def test_refs_that_git_would_read_as_options_or_refspecs_are_refused(ref, tmp_path):
    hosted("orders", {"a": b"1"})
    with pytest.raises(SourceError, match="not a branch, tag or commit id"):
        checkout("keel:orders", ref=ref, dest=tmp_path / "a")


def test_a_token_is_not_sent_over_plain_http_to_another_machine(tmp_path):
    with pytest.raises(SourceError, match="A token is sent only over https"):
        checkout("http://git.example.com/acme/orders.git", dest=tmp_path / "a", token="t0ken")


def test_only_the_exact_address_keel_gives_is_read_from_disk():
    assert keel_repository_slug("HTTP://127.0.0.1:9/portal/git/orders.git/") == "orders"
    assert keel_repository_slug("http://127.0.0.1:9/portal/git/orders") is None
    assert keel_repository_slug("http://127.0.0.1:9/git/orders.git") is None
    assert keel_repository_slug("http://127.0.0.1:8000/portal/git/orders.git") is None
    assert keel_repository_slug("http://u:p@127.0.0.1:9/portal/git/orders.git") is None
    assert resolve_source("https://github.com/acme/orders.git").protocols == "https"


def test_a_repository_too_big_to_download_is_refused(tmp_path):
    noise = random.Random(1)
    hosted("big", {f"f{i}": noise.randbytes(1000) for i in range(10)})  # ~10 KB, incompressible
    with pytest.raises(SourceError, match="larger than 2000 bytes to download"):
        checkout("keel:big", dest=tmp_path / "a", max_bytes=2000)
    assert not any((tmp_path / "a").iterdir())


def test_a_small_pack_that_expands_to_too_many_bytes_is_refused_before_writing(tmp_path):
    hosted("bomb", {f"copy{i}": b"\0" * 1_000_000 for i in range(20)})  # one blob, 20 MB

    with pytest.raises(SourceError, match="holds more than 5000000 bytes of files"):
        checkout("keel:bomb", dest=tmp_path / "a", max_bytes=5_000_000)
    assert not any((tmp_path / "a").iterdir())


def test_a_tree_repeating_one_subtree_is_refused_by_its_file_count(tmp_path):
    LocalProvider().create("fan", run_id=RUN, description="")
    repo = Repo(str(repository_path("fan")))
    level = tree_of(repo.object_store, {f"f{i}": b"x" for i in range(10)})
    for _ in range(3):  # 10 ** 4 files from a handful of objects
        fan = Tree()
        for i in range(10):
            fan.add(f"d{i}".encode(), stat.S_IFDIR, level)
        repo.object_store.add_object(fan)
        level = fan.id
    repo.refs[BRANCH] = make_commit(repo.object_store, level, message="x", author=AUTHOR).id
    repo.close()

    with pytest.raises(SourceError, match="holds more than 1000 files"):
        checkout("keel:fan", dest=tmp_path / "a", max_files=1000)


def test_links_are_written_as_links_for_the_reader_to_judge(tmp_path):
    hosted("links", {"catalog-info.yaml": ("link", "/etc/passwd")})

    result = checkout("keel:links", dest=tmp_path / "a")

    link = result.path / "catalog-info.yaml"
    assert link.is_symlink() and str(link.readlink()) == "/etc/passwd"


@pytest.mark.parametrize("name", [".git", ".."])
def test_trees_with_unsafe_names_are_refused_by_git(name, tmp_path):
    hosted("unsafe", {name: {"config": b"[core]\n\thooksPath = /tmp\n"}})
    with pytest.raises(SourceError, match="malformed or unsafe"):
        checkout("keel:unsafe", dest=tmp_path / "a")
    assert not any((tmp_path / "a").iterdir())


def test_dest_must_be_empty(tmp_path):
    hosted("orders", {"a": b"1"})
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "left-over").write_text("")
    with pytest.raises(ValueError, match="must be an empty folder"):
        checkout("keel:orders", dest=tmp_path / "a")


def test_a_host_that_refuses_connections_may_be_tried_again(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SourceUnavailable, match="Could not connect"):
        checkout(f"http://127.0.0.1:{port}/acme/orders.git", dest=tmp_path / "a", timeout=10)


def test_a_host_that_never_answers_is_given_up_on_at_the_timeout(tmp_path):
    with socket.socket() as silent:  # accepts connections (the backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/acme/orders.git"
        with pytest.raises(SourceUnavailable, match="took longer than the time allowed"):
            checkout(url, dest=tmp_path / "a", timeout=0.3)


@pytest.fixture
def served(live_server, settings, db):
    """Keel's smart-HTTP endpoint (``live_server``) serving a repository, seen as a remote."""
    settings.KEEL_BASE_URL = "http://keel.invalid"  # so that the live server's address is remote
    commit = hosted("orders", {"catalog-info.yaml": DESCRIPTOR})
    return f"{live_server.url}/git/orders.git", commit


@pytest.mark.django_db(transaction=True)
def test_a_remote_over_smart_http_is_checked_out_with_a_token(served, member, tmp_path):
    url, commit = served
    token = ApiTokenFactory(user=member)

    result = checkout(url, dest=tmp_path / "a", token=token.key, username=member.username)

    assert (result.commit_sha, result.ref) == (commit, "refs/heads/main")
    assert (result.path / "catalog-info.yaml").read_bytes() == DESCRIPTOR


@pytest.mark.django_db(transaction=True)
def test_a_remote_that_refuses_the_token_says_so_without_showing_it(served, member, tmp_path):
    url, _ = served

    with pytest.raises(SourceError, match="refused access") as without:
        checkout(url, dest=tmp_path / "a")
    with pytest.raises(SourceError, match="the one given was refused") as wrong:
        checkout(url, dest=tmp_path / "b", token="not-a-token-123", username=member.username)

    assert "not-a-token-123" not in wrong.value.message
    assert not isinstance(without.value, SourceUnavailable)


@pytest.mark.django_db(transaction=True)
def test_a_missing_remote_repository_is_named(served, member, tmp_path, live_server):
    token = ApiTokenFactory(user=member)
    url = f"{live_server.url}/git/nothing-here.git"
    with pytest.raises(SourceError, match=f"There is no git repository at {url}"):
        checkout(url, dest=tmp_path / "a", token=token.key, username=member.username)
