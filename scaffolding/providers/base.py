"""The interface every repository provider implements."""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path


class TransientError(Exception):
    """A failure worth retrying (network, rate limit, 5xx): the step is retried with backoff."""


class HostingError(Exception):
    """A refusal from the hosting service (or its address) that a retry would not change."""


class RepositoryConflict(Exception):
    """A repository with this name exists and was not created by this run."""


@dataclass(frozen=True)
class RepositoryInfo:
    id: str  # the provider's id for it (path for local, numeric id for GitHub/GitLab)
    clone_url: str
    web_url: str
    run_marker: str = ""  # the run that created it, when it was created by Keel


class RepositoryProvider(ABC):
    """Create, find, fill and remove repositories. Implementations must be idempotent:
    ``create`` returns the existing repository when this run already created it."""

    name = ""

    @abstractmethod
    def find(self, slug: str) -> RepositoryInfo | None:
        """The repository named ``slug``, or None."""

    @abstractmethod
    def create(self, slug: str, *, run_id: str, description: str) -> RepositoryInfo:
        """Create the repository, marked with ``run_id``; return it."""

    @abstractmethod
    def push(self, info: RepositoryInfo, folder: Path, *, message: str, author: bytes):
        """Commit ``folder`` to ``main``; return ``(commit_sha, tree_sha)``. When ``main``
        exists already (this run pushed before it crashed), return what is there."""

    @abstractmethod
    def delete(self, slug: str, *, run_id: str) -> bool:
        """Remove the repository if this run created it; return whether it was removed."""

    def pipeline_url(self, info: RepositoryInfo) -> str:
        """Where the hosting CI shows this repository's pipeline runs (may be empty)."""
        return ""

    @staticmethod
    def marker(run_id: str) -> str:
        return f"[keel-run:{run_id}]"

    @staticmethod
    def marker_in(text: str) -> str:
        import re

        found = re.search(r"\[keel-run:([0-9a-f-]{36})\]", text or "")
        return found.group(1) if found else ""
