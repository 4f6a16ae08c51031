"""The repositories of a GitHub organisation or a GitLab group, and which of them hold a
descriptor, found through the hosts' REST APIs.

One listing request per page of 100 (GitHub's ``Link: rel="next"``, GitLab's ``x-next-page``),
then one request per repository asking for the descriptor on its default branch. Archived
repositories are skipped, and so are forks unless asked for (a fork usually repeats its
upstream's descriptor, which would make every entity a conflict). The HTTP transport is the
scaffolding providers' (``HttpxTransport``: no redirects to other hosts, bounded replies); a
next page on another host is refused for the same reason, so the token stays with its API.

Settings: ``KEEL_DESCRIPTOR_DISCOVERY_MAX_REPOSITORIES`` (default 10,000: more is refused, not
cut short), ``KEEL_GITHUB_API_URL`` and ``KEEL_GITLAB_API_URL`` as default API addresses.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from django.conf import settings

from scaffolding.providers.base import HostingError, TransientError
from scaffolding.providers.http import HttpxTransport

from .git_checkout import SourceError, SourceUnavailable

DEFAULT_DESCRIPTOR = "catalog-info.yaml"
DEFAULT_MAX_REPOSITORIES = 10_000
PAGE_SIZE = 100


@dataclass(frozen=True)
class DiscoveredRepository:
    name: str  # the full path: ``acme/orders``, ``platform/services/orders``
    clone_url: str
    web_url: str
    default_branch: str  # empty for a repository without any commit
    descriptor_path: str | None  # the descriptor's path when the default branch has it


def discover_github(
    org: str,
    *,
    token: str | None,
    api_url: str | None = None,
    descriptor_path: str = DEFAULT_DESCRIPTOR,
    include_forks: bool = False,
    transport=None,
) -> list[DiscoveredRepository]:
    """Every repository of the GitHub organisation ``org`` (not archived; forks when asked),
    each with ``descriptor_path`` if its default branch has that file."""
    api = _Api("GitHub", api_url or settings.KEEL_GITHUB_API_URL, transport)
    api.headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    if token:
        api.headers["Authorization"] = f"Bearer {token}"
    path = _descriptor_path(descriptor_path)
    found = []
    url = f"{api.root}/orgs/{quote(org, safe='')}/repos?type=all&per_page={PAGE_SIZE}"
    listing = api.listing(
        url,
        missing=f"There is no GitHub organisation named {org!r}",
        fields=("full_name", "clone_url", "html_url"),
    )
    for repo in listing:
        if repo.get("archived") or (repo.get("fork") and not include_forks):
            continue
        branch = repo.get("default_branch") or ""
        contents = f"{api.root}/repos/{quote(repo['full_name'])}/contents/{quote(path)}?ref={quote(branch, safe='')}"
        reply = api.get(contents, missing_ok=True) if branch else None
        has_file = (
            reply is not None and isinstance(reply.body, dict) and reply.body.get("type") == "file"
        )
        found.append(
            DiscoveredRepository(
                name=repo["full_name"],
                clone_url=repo["clone_url"],
                web_url=repo["html_url"],
                default_branch=branch,
                descriptor_path=path if has_file else None,
            )
        )
    return found


def discover_gitlab(
    group: str | int,
    *,
    token: str | None,
    api_url: str | None = None,
    descriptor_path: str = DEFAULT_DESCRIPTOR,
    include_forks: bool = False,
    transport=None,
) -> list[DiscoveredRepository]:
    """Every project of the GitLab group ``group`` (its numeric id or full path) and of its
    subgroups, not archived, not merely shared with it; forks when asked."""
    api = _Api("GitLab", api_url or settings.KEEL_GITLAB_API_URL, transport)
    api.headers = {"Authorization": f"Bearer {token}"} if token else {}
    path = _descriptor_path(descriptor_path)
    found = []
    url = (
        f"{api.root}/groups/{quote(str(group), safe='')}/projects?include_subgroups=true"
        f"&archived=false&with_shared=false&order_by=id&sort=asc&per_page={PAGE_SIZE}"
    )
    listing = api.listing(
        url,
        missing=f"There is no GitLab group {group!r}",
        fields=("id", "path_with_namespace", "http_url_to_repo", "web_url"),
    )
    for project in listing:
        if project.get("archived") or (project.get("forked_from_project") and not include_forks):
            continue
        branch = "" if project.get("empty_repo") else project.get("default_branch") or ""
        file = (
            f"{api.root}/projects/{project['id']}/repository/files/{quote(path, safe='')}"
            f"?ref={quote(branch, safe='')}"
        )
        has_file = bool(branch) and api.get(file, method="HEAD", missing_ok=True) is not None
        found.append(
            DiscoveredRepository(
                name=project["path_with_namespace"],
                clone_url=project["http_url_to_repo"],
                web_url=project["web_url"],
                default_branch=branch,
                descriptor_path=path if has_file else None,
            )
        )
    return found


def _descriptor_path(path: str) -> str:
    """A path inside a repository, as the APIs take it."""
    parts = path.split("/") if isinstance(path, str) else []
    if (
        not path
        or len(path) > 500
        or any(part in ("", ".", "..") for part in parts)
        or any(ord(c) < 0x20 or c in "\\?#" for c in path)
    ):
        raise SourceError(
            f"{path!r} is not a file path inside a repository; give one like "
            "catalog-info.yaml or catalog/catalog-info.yaml."
        )
    return path


class _Api:
    """Calls to one host's REST API, each reply's status turned into what it means here."""

    def __init__(self, host: str, root: str, transport):
        self.host, self.root = host, root.rstrip("/")
        self.transport = transport or HttpxTransport()
        self.headers: dict = {}
        self.limit = getattr(
            settings, "KEEL_DESCRIPTOR_DISCOVERY_MAX_REPOSITORIES", DEFAULT_MAX_REPOSITORIES
        )

    def listing(self, url: str, *, missing: str, fields: tuple) -> list[dict]:
        """Every item of a paginated listing, following the host's next-page header; all pages
        are read (and counted) before any repository is asked about. Each item must carry
        ``fields``."""
        items = []
        while url:
            reply = self.get(url, missing_ok=True)
            if reply is None:
                raise SourceError(f"{missing} (or the token may not see it).")
            if not isinstance(reply.body, list) or not all(
                isinstance(item, dict) and all(item.get(name) for name in fields)
                for item in reply.body
            ):
                raise SourceError(
                    f"{self.host} answered {url} with something other than a list of "
                    f"repositories with {', '.join(fields)}; check the API address."
                )
            items += reply.body
            if len(items) > self.limit:
                raise SourceError(
                    f"There are more than {self.limit} repositories to look at; raise "
                    "KEEL_DESCRIPTOR_DISCOVERY_MAX_REPOSITORIES or name a smaller group."
                )
            url = self._next_page(url, reply.headers)
        return items

    def _next_page(self, url: str, headers: dict) -> str:
        following = ""
        for link in headers.get("link", "").split(","):
            target, _, params = link.partition(";")
            if re.search(r'rel="?next"?', params):
                following = target.strip().strip("<>")
        if not following and headers.get("x-next-page", "").strip().isdigit():
            following = re.sub(r"&page=\d+", "", url) + f"&page={headers['x-next-page'].strip()}"
        if following and _origin(following) != _origin(self.root):
            raise SourceError(
                f"{self.host} pointed the next page at another host ({urlsplit(following).hostname});"
                " Keel does not send the token there. Check the API address."
            )
        return following

    def get(self, url: str, *, method: str = "GET", missing_ok: bool = False):
        try:
            reply = self.transport(method, url, headers=self.headers)
        except TransientError as error:
            raise SourceUnavailable(f"{self.host} could not be reached: {error}") from error
        except HostingError as error:
            raise SourceError(str(error)) from error
        if reply.status == 200:
            return reply
        if reply.status == 404 and missing_ok:
            return None
        raise self._refusal(reply, method, url)

    def _refusal(self, reply, method: str, url: str) -> SourceError:
        status, headers = reply.status, reply.headers
        message = reply.body.get("message", "") if isinstance(reply.body, dict) else ""
        limited = status == 429 or (
            status == 403
            and (headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers)
        )
        if limited or "rate limit" in str(message).lower():
            wait = _seconds_to_wait(headers)
            return SourceUnavailable(
                f"{self.host}'s rate limit for this token is used up; Keel will try again"
                + (f" in {wait} seconds." if wait is not None else " later."),
                retry_after=wait,
            )
        if status == 401:
            return SourceError(f"{self.host} refused the token (401): it is wrong or has expired.")
        if status == 403:
            return SourceError(
                f"{self.host} refused access (403) to {method} {url}: the token needs read access "
                "to the repositories and their contents."
            )
        if status == 408 or status >= 500:
            return SourceUnavailable(
                f"{self.host} answered {status} to {method} {url}; try again later."
            )
        return SourceError(
            f"{self.host} refused {method} {url} ({status}): {message or reply.body}"
        )


def _seconds_to_wait(headers: dict) -> int | None:
    if str(headers.get("retry-after", "")).isdigit():
        return int(headers["retry-after"])
    if str(headers.get("x-ratelimit-reset", "")).isdigit():  # GitHub: when, in epoch seconds
        return max(int(headers["x-ratelimit-reset"]) - int(datetime.now(UTC).timestamp()), 0)
    return None


def _origin(url: str) -> tuple:
    parts = urlsplit(url)
    return (parts.scheme.lower(), (parts.hostname or "").lower(), parts.port)
