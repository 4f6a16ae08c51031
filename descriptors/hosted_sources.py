"""GitHub organisations and GitLab groups as locations: every repository discovery finds with
the location's descriptor (``entry``) is checked out at its default branch and read, and
their entities form one reading, each file and problem named by its repository
(``acme/orders:catalog-info.yaml``).

The reading must be whole, or what an unread repository declared would become orphans: a
repository that cannot be checked out fails the run (``SourceError``, naming it) or has it
retried (``SourceUnavailable``), and nothing changes. One entity declared by two repositories
is refused in the second, with both named.

Tokens and API addresses: ``KEEL_GITHUB_TOKEN`` / ``KEEL_GITHUB_API_URL`` and
``KEEL_GITLAB_TOKEN`` / ``KEEL_GITLAB_API_URL`` (the scaffolding providers' settings); the
token reads the APIs and clones over https.
"""

import dataclasses
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from .discovery import discover_github, discover_gitlab
from .git_checkout import SourceError, SourceUnavailable, checkout
from .models import Location
from .problems import Problem
from .trees import Reading


def read(location: Location, read_tree: Callable[[Path, str], Reading]) -> Reading:
    """The entities and problems of every repository of the location's organisation or
    group that holds its descriptor; ``read_tree(root, entry)`` reads one checkout."""
    if location.type == Location.Type.GITHUB:
        token, username = settings.KEEL_GITHUB_TOKEN or None, "x-access-token"
        found = discover_github(
            location.target, token=token, api_url=settings.KEEL_GITHUB_API_URL,
            descriptor_path=location.entry,
        )  # fmt: skip
    else:
        token, username = settings.KEEL_GITLAB_TOKEN or None, "oauth2"
        found = discover_gitlab(
            location.target, token=token, api_url=settings.KEEL_GITLAB_API_URL,
            descriptor_path=location.entry,
        )  # fmt: skip
    whole, declared_in = Reading(), {}
    for repository in found:
        if repository.descriptor_path is None:
            continue
        with tempfile.TemporaryDirectory(prefix="keel-location-") as folder:
            try:
                checkout(
                    repository.clone_url, dest=Path(folder), ref=repository.default_branch,
                    token=token, username=username,
                )  # fmt: skip
            except SourceUnavailable as error:
                raise SourceUnavailable(
                    f"Repository {repository.name}: {error.message}", retry_after=error.retry_after
                ) from error
            except SourceError as error:
                raise SourceError(
                    f"Repository {repository.name} could not be read, so nothing was changed: "
                    f"{error.message}"
                ) from error
            reading = read_tree(Path(folder), repository.descriptor_path)
        _add(whole, reading, repository.name, declared_in)
    return whole


def _add(whole: Reading, reading: Reading, repository: str, declared_in: dict) -> None:
    def named(source: str) -> str:
        return f"{repository}:{source}"

    whole.files_read += [named(source) for source in reading.files_read]
    whole.problems += [dataclasses.replace(p, source=named(p.source)) for p in reading.problems]
    for entity in reading.entities:
        entity.source = named(entity.source)
        first = declared_in.setdefault(str(entity.ref), repository)
        if first != repository:
            whole.problems.append(
                Problem(
                    source=entity.source,
                    document=entity.document,
                    line=entity.line,
                    ref=str(entity.ref),
                    message=f"{entity.ref} is declared by repositories {first} and "
                    f"{repository}; keep it in one of them.",
                )
            )
            continue
        whole.entities.append(entity)
