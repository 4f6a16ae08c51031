"""Git objects built with dulwich: no shell, no git command-line options, no user text as
arguments. A rendered folder becomes a tree, a commit and a branch.

The tree id depends only on the files' paths, modes and contents, so a retried step can tell
"this is the commit I already pushed" from "someone else's work" by comparing trees.
"""

import os
import re
import time
from pathlib import Path

from dulwich.client import HTTPUnauthorized, get_transport_and_path
from dulwich.errors import GitProtocolError, NotGitRepository
from dulwich.index import commit_tree
from dulwich.object_store import BaseObjectStore
from dulwich.objects import Blob, Commit
from dulwich.repo import MemoryRepo

from .providers.base import HostingError, TransientError
from .safety import check_tree

BRANCH = b"refs/heads/main"
COMMITTER = b"Keel <keel@localhost>"


def add_tree(object_store: BaseObjectStore, folder: Path) -> bytes:
    """Store every file under ``folder`` as blobs and return the root tree's id."""
    entries = []
    for relative in check_tree(folder):
        path = Path(folder) / relative
        blob = Blob.from_string(path.read_bytes())
        object_store.add_object(blob)
        mode = 0o100755 if os.access(path, os.X_OK) else 0o100644
        entries.append((relative.encode(), blob.id, mode))
    return commit_tree(object_store, entries)


def tree_id_of(folder: Path) -> str:
    """The tree id ``folder`` would have, computed without a repository."""
    return add_tree(MemoryRepo().object_store, folder).decode()


def make_commit(object_store, tree_id: bytes, *, message: str, author: bytes) -> Commit:
    commit = Commit()
    commit.tree = tree_id
    commit.parents = []
    commit.author = author
    commit.committer = COMMITTER
    commit.author_time = commit.commit_time = int(time.time())
    commit.author_timezone = commit.commit_timezone = 0
    commit.encoding = b"UTF-8"
    commit.message = message.encode()
    object_store.add_object(commit)
    return commit


def author_line(name: str, email: str) -> bytes:
    """``Name <email>`` with the characters git treats specially removed."""
    clean_name = "".join(c for c in name if c not in "<>\n\r\0").strip() or "Keel"
    clean_email = "".join(c for c in email if c not in "<>\n\r\0 ").strip() or "keel@localhost"
    return f"{clean_name} <{clean_email}>".encode()


def push_folder(url: str, folder: Path, *, message: str, author: bytes, username="", password=""):
    """Commit ``folder`` as the first commit of ``main`` in the remote at ``url`` (HTTPS), with
    dulwich's client. If ``main`` already holds this tree, nothing is pushed.

    Returns ``(commit_sha, tree_sha)``.
    """
    repo = MemoryRepo()
    tree = add_tree(repo.object_store, folder)
    client, path = get_transport_and_path(url, username=username or None, password=password or None)
    remote_refs = client.get_refs(path)
    refs = getattr(remote_refs, "refs", remote_refs)
    existing = refs.get(BRANCH)
    if existing:
        raise ExistingBranch(existing.decode())
    commit = make_commit(repo.object_store, tree, message=message, author=author)

    def update_refs(current):
        return {BRANCH: commit.id}

    client.send_pack(path, update_refs, repo.object_store.generate_pack_data)
    return commit.id.decode(), tree.decode()


class ExistingBranch(Exception):
    """The remote's main branch already exists (holding the given commit)."""


# What a push may raise: dulwich's protocol errors and the network's.
PUSH_ERRORS = (GitProtocolError, HTTPUnauthorized, NotGitRepository, OSError)


def push_error(error: Exception, url: str) -> Exception:
    """What a failed push means: ``TransientError`` when a retry may succeed (the connection
    dropped, the host answered 5xx, 408 or 429), ``HostingError`` when it will not (bad
    credentials, no such repository, another 4xx)."""
    if isinstance(error, HTTPUnauthorized):
        return HostingError(f"{url} refused the credentials for the push.")
    if isinstance(error, PermissionError):  # an OSError, but no retry will change it
        return HostingError(f"Pushing to {url} was not permitted: {error}")
    if isinstance(error, NotGitRepository):
        return HostingError(f"{url} is not a git repository (it answered 404).")
    status = re.search(r"unexpected http resp (\d{3})", str(error))
    if isinstance(error, GitProtocolError) and status:
        code = int(status.group(1))
        if code not in (408, 429) and code < 500:
            return HostingError(f"{url} refused the push ({code}): {error}")
    return TransientError(f"Pushing to {url} failed: {error}")
