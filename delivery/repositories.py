"""The repositories the embedded runner builds from: Keel-hosted ones (scaffolding's local
provider), read with dulwich, and exported at a commit with ``git archive`` into a clean
folder (no ``.git``, nothing left from an earlier build)."""

import tarfile
from pathlib import Path

from django.core.exceptions import ValidationError
from dulwich.errors import NotGitRepository
from dulwich.objects import Commit
from dulwich.repo import Repo

from scaffolding.gitops import BRANCH
from scaffolding.models import Pipeline
from scaffolding.providers.local import repository_path

from . import processes


def hosted_repository(pipeline: Pipeline) -> Path:
    """The bare repository of ``pipeline``, or a ValidationError saying why there is none."""
    path = repository_path(pipeline.slug)
    hosted = pipeline.repository_url.rstrip("/").endswith(f"/git/{pipeline.slug}.git")
    if not hosted or not (path / "HEAD").is_file():
        raise ValidationError(
            f"The embedded runner builds repositories Keel hosts; {pipeline.slug}'s repository "
            f"({pipeline.repository_url or 'none'}) is not one. Its own CI runs the pipeline."
        )
    return path


def head(path: Path) -> str:
    """The commit ``main`` points at."""
    try:
        with Repo(str(path)) as repo:
            return repo.refs[BRANCH].decode()
    except (KeyError, NotGitRepository):
        raise ValidationError("The repository has no commit on main yet; push one first.") from None


def require_commit(path: Path, sha: str) -> str:
    """``sha`` when it names a commit of the repository; else a field error."""
    text = (sha or "").strip().lower()
    problem = {"commit": f"{text[:80]!r} is not a commit of this repository."}
    if len(text) != 40 or any(c not in "0123456789abcdef" for c in text):
        raise ValidationError(problem)
    with Repo(str(path)) as repo:
        try:
            found = repo.object_store[text.encode()]
        except KeyError:
            raise ValidationError(problem) from None
    if not isinstance(found, Commit):
        raise ValidationError(problem)
    return text


def export(path: Path, sha: str, folder: Path, *, env: dict) -> processes.Outcome:
    """Write the tree of commit ``sha`` into ``folder`` (which must not exist yet)."""
    archive = folder.with_suffix(".tar")
    outcome = processes.run(
        ["git", "-c", f"safe.directory={path}", "--git-dir", str(path), "archive",
         "--format=tar", "-o", str(archive), sha],
        cwd=folder.parent,
        env=env,
    )  # fmt: skip
    if outcome.ok:
        folder.mkdir()
        with tarfile.open(archive) as tar:
            tar.extractall(folder, filter="data")  # no links or paths outside the folder
    archive.unlink(missing_ok=True)
    return outcome
