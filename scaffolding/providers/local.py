"""Bare repositories under the portal's data folder, served over smart HTTP by the portal."""

import os
import shutil
import uuid
from pathlib import Path

from django.conf import settings
from dulwich.repo import Repo

from ..gitops import BRANCH, add_tree, make_commit
from ..safety import check_repository_name
from .base import RepositoryConflict, RepositoryInfo, RepositoryProvider


def repositories_root() -> Path:
    root = Path(settings.KEEL_REPOSITORY_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return root


def repository_path(slug: str) -> Path:
    """The bare repository's folder; the name is checked before it touches the disk."""
    return repositories_root() / f"{check_repository_name(slug)}.git"


class LocalProvider(RepositoryProvider):
    name = "local"

    def _info(self, slug: str, path: Path) -> RepositoryInfo:
        base = settings.KEEL_BASE_URL.rstrip("/")
        marker = self.marker_in((path / "description").read_text(errors="replace"))
        url = f"{base}/git/{slug}.git"
        return RepositoryInfo(id=slug, clone_url=url, web_url=url, run_marker=marker)

    def find(self, slug):
        path = repository_path(slug)
        return self._info(slug, path) if (path / "HEAD").is_file() else None

    def create(self, slug, *, run_id, description):
        final = repository_path(slug)
        staging = repositories_root() / f".tmp-{uuid.uuid4().hex}"
        repo = Repo.init_bare(staging, mkdir=True)
        repo.refs.set_symbolic_ref(b"HEAD", BRANCH)
        line = " ".join(description.split())[:200]
        (staging / "description").write_text(f"{line} {self.marker(run_id)}\n")
        repo.close()
        try:
            os.rename(staging, final)  # atomic; fails if the name is taken, even concurrently
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            existing = self.find(slug)
            if existing and existing.run_marker == str(run_id):
                return existing
            raise RepositoryConflict(
                f"A repository named {slug} already exists; choose another name."
            ) from None
        return self._info(slug, final)

    def push(self, info, folder, *, message, author):
        repo = Repo(str(repository_path(info.id)))
        try:
            existing = repo.refs.as_dict().get(BRANCH)
            if existing:
                return existing.decode(), repo[existing].tree.decode()
            tree = add_tree(repo.object_store, folder)
            commit = make_commit(repo.object_store, tree, message=message, author=author)
            if not repo.refs.add_if_new(BRANCH, commit.id):
                existing = repo.refs[BRANCH]
                return existing.decode(), repo[existing].tree.decode()
            return commit.id.decode(), tree.decode()
        finally:
            repo.close()

    def delete(self, slug, *, run_id):
        existing = self.find(slug)
        if existing is None or existing.run_marker != str(run_id):
            return False
        path = repository_path(slug)
        # Move aside first so that a half-deleted folder is never served as a repository.
        trash = repositories_root() / f".trash-{uuid.uuid4().hex}"
        os.rename(path, trash)
        shutil.rmtree(trash, ignore_errors=True)
        return True
