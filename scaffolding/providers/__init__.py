"""Repository providers: one small interface, chosen by ``KEEL_REPOSITORY_PROVIDER`` (one of
the names below, or the dotted path of a ``RepositoryProvider`` subclass).

- ``local`` (the default): bare repositories under ``KEEL_DATA_DIR/repositories``, served by
  the portal over git's smart HTTP protocol at ``/git/<slug>.git`` (``scaffolding.git_http``).
- ``github``: an organisation on GitHub (or GitHub Enterprise) through its REST API.
- ``gitlab``: a group on GitLab through its REST API (v4).

Every provider marks the repositories it creates with the id of the run that created them, so
that a retried step adopts its own repository and never takes over (or deletes) anyone else's.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import (
    HostingError,
    RepositoryConflict,
    RepositoryInfo,
    RepositoryProvider,
    TransientError,
)

PROVIDERS = {
    "local": "scaffolding.providers.local.LocalProvider",
    "github": "scaffolding.providers.github.GitHubProvider",
    "gitlab": "scaffolding.providers.gitlab.GitLabProvider",
}


def get_provider(name: str | None = None) -> RepositoryProvider:
    """The configured provider (or the one named, for a run that started under another)."""
    name = name or settings.KEEL_REPOSITORY_PROVIDER
    if "." in name:  # a dotted path: an organisation's own provider class
        return import_string(name)()
    if name not in PROVIDERS:
        raise ValueError(
            f"Unknown repository provider {name!r}; choose one of {sorted(PROVIDERS)}."
        )
    return import_string(PROVIDERS[name])()


__all__ = [
    "HostingError",
    "RepositoryConflict",
    "RepositoryInfo",
    "RepositoryProvider",
    "TransientError",
    "get_provider",
]
