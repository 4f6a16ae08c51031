"""Push webhooks from GitHub and GitLab, which make Keel re-read the locations they concern.

A webhook is believed only with its location's secret: GitHub signs the body
(``X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body>``), GitLab sends the secret itself
(``X-Gitlab-Token``); both are compared in constant time, and an empty secret accepts nothing.
Check the signature first, then parse: ``parse_push`` trusts what it is given.

Only pushes matter (branch or tag, GitHub's ``push`` event, GitLab's ``Push Hook`` and
``Tag Push Hook``); other events, GitHub's ``ping`` among them, give None. The body is bounded in
size (``KEEL_DESCRIPTOR_WEBHOOK_MAX_BYTES``, default 5 MiB: a push payload lists at most 20
commits) and in nesting.

Repository addresses are compared by ``repository_key``: host and path, lower-cased, without
scheme, credentials, default port, trailing slash or ``.git``. GitHub and GitLab treat paths
case-insensitively, and a false match only costs one more read.
"""

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from .git_checkout import SourceError

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
MAX_REF_LENGTH = 1000

# The payload fields that hold the repository's address, by provider.
GITHUB_URLS = (("repository", "clone_url"), ("repository", "html_url"), ("repository", "url"))
GITLAB_URLS = (
    ("project", "git_http_url"),
    ("project", "web_url"),
    ("project", "http_url"),
    ("repository", "git_http_url"),
    ("repository", "homepage"),
)


@dataclass(frozen=True)
class Push:
    repository_urls: frozenset[str]  # every http(s) address the payload gives the repository
    ref: str  # ``refs/heads/main``, ``refs/tags/v1``
    commit: str  # what the ref points at now; empty when the push deleted it


def verify_github(secret: str, body: bytes, signature_header: str | None) -> bool:
    """Whether ``X-Hub-Signature-256`` is the HMAC-SHA256 of ``body`` under ``secret``."""
    if not secret or not signature_header or not signature_header.startswith("sha256="):
        return False
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature_header.encode(errors="replace"))


def verify_gitlab(secret: str, token_header: str | None) -> bool:
    """Whether ``X-Gitlab-Token`` is ``secret``."""
    if not secret or not token_header:
        return False
    return hmac.compare_digest(secret.encode(), token_header.encode(errors="replace"))


def parse_push(provider: str, headers: Mapping[str, str], body: bytes) -> Push | None:
    """The push a webhook reports (``provider`` is ``github`` or ``gitlab``), or None for any
    other event. Raises ``SourceError`` for a body that is not a push payload."""
    headers = {name.lower(): value for name, value in headers.items()}
    if provider == "github":
        event = headers.get("x-github-event")
        pushes, fields = {"push"}, GITHUB_URLS
    elif provider == "gitlab":
        event = headers.get("x-gitlab-event")
        pushes, fields = {"Push Hook", "Tag Push Hook"}, GITLAB_URLS
    else:
        raise SourceError(f"Webhooks come from github or gitlab, not {provider!r}.")
    if not event:
        raise SourceError(f"This is not a {provider} webhook: it names no event.")
    if event not in pushes:
        return None
    payload = _json(body)
    ref, after = payload.get("ref"), payload.get("checkout_sha") or payload.get("after")
    if not isinstance(ref, str) or not ref.startswith("refs/") or len(ref) > MAX_REF_LENGTH:
        raise SourceError("The push names no ref (refs/heads/... or refs/tags/...).")
    urls = set()
    for section, name in fields:
        value = (
            payload.get(section, {}).get(name) if isinstance(payload.get(section), dict) else None
        )
        if isinstance(value, str) and urlsplit(value).scheme.lower() in ("http", "https"):
            urls.add(value)
    if not urls:
        raise SourceError("The push names no http(s) address of its repository.")
    commit = after if isinstance(after, str) and COMMIT.fullmatch(after) else ""
    if not commit.strip("0"):  # all zeros: the push deleted the ref
        commit = ""
    return Push(repository_urls=frozenset(urls), ref=ref, commit=commit)


def concerns(push: Push, repository_url: str) -> bool:
    """Whether ``push`` was made to the repository at ``repository_url``."""
    key = repository_key(repository_url)
    return bool(key) and key in {repository_key(url) for url in push.repository_urls}


def repository_key(url: str) -> str:
    """``host[:port]/path`` of an http(s) repository address, for comparing addresses; empty
    for anything else."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return ""
    try:
        port = parts.port
    except ValueError:
        return ""
    netloc = parts.hostname.lower()
    if port and port != {"http": 80, "https": 443}[scheme]:
        netloc += f":{port}"
    path = parts.path.rstrip("/").lower().removesuffix(".git").rstrip("/")
    return netloc + path


def _json(body: bytes) -> dict:
    limit = getattr(settings, "KEEL_DESCRIPTOR_WEBHOOK_MAX_BYTES", DEFAULT_MAX_BYTES)
    if len(body) > limit:
        raise SourceError(f"The webhook's body is larger than {limit} bytes.")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SourceError(
            "The webhook's body is not JSON; set the webhook's content type to application/json."
        ) from None
    if not isinstance(payload, dict):
        raise SourceError("The webhook's body is JSON but not an object.")
    return payload
