"""A git repository's files on local disk, for the descriptor reader, without trusting the remote.

Two kinds of source, both fetched with the ``git`` command at depth 1 and checked out into a
folder the caller owns (and removes):

- any remote that speaks git's smart protocol over ``http://`` or ``https://``;
- a repository Keel hosts itself (the local provider): the address Keel hands out for it,
  ``KEEL_BASE_URL/git/<slug>.git``, or ``keel:<slug>``. It is read from the bare repository
  under the data folder, without going through HTTP.

What a location's owner types is never an option of git: the address is checked (scheme,
no credentials, no control characters) and comes after ``--``; a ref must look like a branch,
a tag or a commit id. ``GIT_ALLOW_PROTOCOL`` limits git to the transport that was chosen (so no
``ext::``, ``file://`` or ssh even by a redirect or submodule), the user's and the system's git
configuration are ignored, hooks are off, prompts are off, redirects are not followed (so a
token goes to the host it was given for and nowhere else), and received objects are checked
(``transfer.fsckObjects``, which refuses ``.git`` and ``..`` in trees). A token travels in an
HTTP header set through the environment: it is in no process's argument list and no message.

Bounds: every git process runs in its own process group, killed with it when the time is up;
the download is measured while it runs and the tree is measured (files, bytes) before anything
is written, so neither a large pack nor a small one that expands (the same tree repeated) fills
the disk.

Settings: ``KEEL_DESCRIPTOR_GIT_TIMEOUT`` (seconds for the whole checkout, default 60),
``KEEL_DESCRIPTOR_GIT_MAX_BYTES`` (download and checked-out size, default 100 MiB),
``KEEL_DESCRIPTOR_GIT_MAX_FILES`` (default 20,000), and ``KEEL_BASE_URL`` to recognise Keel's
own repositories.
"""

import base64
import contextlib
import ipaddress
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from scaffolding.providers.local import repository_path

DEFAULT_TIMEOUT = 60
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
DEFAULT_MAX_FILES = 20_000
MAX_URL_LENGTH = 2048
POLL_SECONDS = 0.05

SHA = re.compile(r"[0-9a-f]{40}")
# A branch or tag name as git accepts it, a little stricter: no leading "-" (an option), no
# ":" or "+" (a refspec), no "..", no "@{", no control characters or spaces.
REF = re.compile(r"(?!-)(?!.*\.\.)(?!.*@\{)(?!.*//)[A-Za-z0-9._/@-]{1,200}(?<![./])")


class SourceError(Exception):
    """A source that cannot be read as it is; the message says what to change."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SourceUnavailable(SourceError):
    """A source that may be readable later (host unreachable, timeout, 5xx, rate limit)."""

    def __init__(self, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after  # seconds, when the host said how long to wait


@dataclass(frozen=True)
class Checkout:
    path: Path  # the folder holding the repository's files (``dest``)
    commit_sha: str
    ref: str  # what was checked out: ``refs/heads/main``, ``refs/tags/v1`` or a commit id


@dataclass(frozen=True)
class _Source:
    target: str  # what git fetches from: the URL, or the bare repository's folder
    display: str  # how messages name it (never with credentials)
    protocols: str  # GIT_ALLOW_PROTOCOL
    local: Path | None = None


def checkout(
    url: str,
    *,
    dest: Path,
    ref: str | None = None,
    token: str | None = None,
    username: str = "x-access-token",
    timeout: float | None = None,
    max_bytes: int | None = None,
    max_files: int | None = None,
) -> Checkout:
    """Fetch ``ref`` (default: the remote's HEAD) of the repository at ``url`` at depth 1 and
    write its files into ``dest`` (created if missing; must be empty). ``token`` is sent as
    HTTP Basic authentication with ``username`` (``x-access-token`` suits GitHub and GitLab
    tokens; Keel's own endpoint wants the Keel username), and only over https (or to this
    machine). Raises ``SourceError`` (or ``SourceUnavailable`` when a retry may help) with a
    message a person can act on; ``dest`` may then hold part of the files."""
    timeout = timeout if timeout is not None else _setting("TIMEOUT", DEFAULT_TIMEOUT)
    max_bytes = max_bytes if max_bytes is not None else _setting("MAX_BYTES", DEFAULT_MAX_BYTES)
    max_files = max_files if max_files is not None else _setting("MAX_FILES", DEFAULT_MAX_FILES)
    source = resolve_source(url)
    if token and source.protocols == "http" and not _loopback(url):
        raise SourceError(
            f"A token is sent only over https, not to {url}; use the repository's https address."
        )
    if ref is not None and not (SHA.fullmatch(ref) or REF.fullmatch(ref)):
        raise SourceError(
            f"{ref!r} is not a branch, tag or commit id git would accept; give a name like "
            "main, release/1.2 or v1.0, or a full 40-character commit id."
        )
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        raise ValueError(f"{dest} must be an empty folder.")
    git = _Git(source, token=token, username=username, deadline=time.monotonic() + timeout)
    try:
        wanted = ref if ref and SHA.fullmatch(ref) else _remote_ref(git, ref)
        git.run("fetch", "--quiet", "--depth=1", "--no-tags", "--", source.target, wanted,
                watch=lambda: _refuse_download_above(git.git_dir, max_bytes, source))  # fmt: skip
        commit = git.run("rev-parse", "--verify", "--end-of-options", "FETCH_HEAD^{commit}")
        commit = commit.decode().strip()
        _measure_tree(git, commit, max_bytes=max_bytes, max_files=max_files)
        git.run("--work-tree", str(dest), "checkout", "--quiet", "--detach", commit)
    finally:
        git.close()
    return Checkout(path=dest, commit_sha=commit, ref=wanted)


def resolve_source(url: str) -> _Source:
    """What ``url`` names, after refusing anything but an ``http(s)`` address or one of Keel's
    own repositories."""
    if not isinstance(url, str) or not url.strip():
        raise SourceError("Give the repository's address, e.g. https://github.com/acme/orders.git.")
    if len(url) > MAX_URL_LENGTH:
        raise SourceError(f"The repository address is longer than {MAX_URL_LENGTH} characters.")
    if any(ord(c) < 0x20 or ord(c) == 0x7F or c.isspace() for c in url):
        raise SourceError(
            "The repository address contains a space, line break or control character."
        )
    slug = keel_repository_slug(url)
    if slug is not None:
        return _keel_source(slug)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise SourceError(
            f"Only http:// and https:// repository addresses can be read (not {scheme or url!r}:"
            " ssh, file, ext and scp-like addresses are refused); use the repository's HTTPS "
            "clone address, or keel:<name> for a repository Keel hosts."
        )
    if "@" in parts.netloc:
        raise SourceError(
            "The repository address contains credentials; remove them and give the token "
            "separately, so that it is not stored or shown with the address."
        )
    if not parts.hostname:
        raise SourceError(f"{url} names no host.")
    if parts.fragment:
        raise SourceError(f"{url} has a #fragment, which git does not use; remove it.")
    return _Source(target=url, display=url, protocols=scheme)


def keel_repository_slug(url: str) -> str | None:
    """The slug when ``url`` is ``keel:<slug>`` or the address Keel gives its own repositories
    (``KEEL_BASE_URL/git/<slug>.git``), else None."""
    if url.startswith("keel:"):
        return url.removeprefix("keel:")
    base, parts = urlsplit(settings.KEEL_BASE_URL.rstrip("/")), urlsplit(url)
    if (parts.scheme.lower(), _host_port(parts)) != (base.scheme.lower(), _host_port(base)):
        return None
    if parts.query or parts.fragment or "@" in parts.netloc:
        return None
    found = re.fullmatch(re.escape(base.path) + r"/git/([^/]+)\.git/?", parts.path)
    return found.group(1) if found else None


def _loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _host_port(parts) -> tuple:
    try:
        port = parts.port
    except ValueError:
        return (parts.hostname, "invalid")
    return (parts.hostname, port or {"http": 80, "https": 443}.get(parts.scheme.lower()))


def _keel_source(slug: str) -> _Source:
    try:
        path = repository_path(slug)
    except ValidationError:
        raise SourceError(f"{slug!r} is not a repository name Keel uses.") from None
    if not (path / "HEAD").is_file():
        raise SourceError(f"Keel hosts no repository named {slug!r}.")
    return _Source(target=str(path), display=f"keel:{slug}", protocols="file", local=path)


def _setting(name: str, default):
    return getattr(settings, f"KEEL_DESCRIPTOR_GIT_{name}", default)


def _remote_ref(git: "_Git", ref: str | None) -> str:
    """The full name of the branch or tag to fetch (HEAD's branch by default)."""
    if ref is None:
        listing = git.run("ls-remote", "--symref", "--", git.source.target, "HEAD").decode()
        for line in listing.splitlines():
            if line.startswith("ref: ") and line.endswith("\tHEAD"):
                return line.removeprefix("ref: ").removesuffix("\tHEAD")
        if "\tHEAD" in listing:
            return "HEAD"  # a detached HEAD: fetch what it points at
        raise SourceError(f"{git.source.display} is empty: it has no default branch yet.")
    names = [ref] if ref.startswith("refs/") else [f"refs/heads/{ref}", f"refs/tags/{ref}"]
    listing = git.run("ls-remote", "--", git.source.target, *names).decode()
    found = {line.partition("\t")[2] for line in listing.splitlines()}
    for name in names:
        if name in found:
            return name
    raise SourceError(f"{git.source.display} has no branch or tag named {ref!r}.")


def _refuse_download_above(git_dir: Path, max_bytes: int, source: _Source):
    if _folder_size(git_dir / "objects") > max_bytes:
        raise SourceError(
            f"{source.display} is larger than {max_bytes} bytes to download; raise "
            "KEEL_DESCRIPTOR_GIT_MAX_BYTES or keep the descriptors in a smaller repository."
        )


def _folder_size(folder: Path) -> int:
    total = 0
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            with contextlib.suppress(FileNotFoundError):  # git renamed it meanwhile
                total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def _measure_tree(git: "_Git", commit: str, *, max_bytes: int, max_files: int):
    """Refuse the commit before it is written out if it holds too many files or bytes. Every
    entry counts, so a tree that repeats one small subtree many times is caught too."""
    size = 0
    records = git.stream("ls-tree", "-r", "-l", "-z", "--full-tree", commit)
    for files, entry in enumerate(records, start=1):
        field = entry.split(b"\t", 1)[0].split()[-1]
        size += int(field) if field.isdigit() else 0
        if files > max_files:
            raise SourceError(
                f"{git.source.display} holds more than {max_files} files; raise "
                "KEEL_DESCRIPTOR_GIT_MAX_FILES or keep the descriptors in a smaller repository."
            )
        if size > max_bytes:
            raise SourceError(
                f"{git.source.display} holds more than {max_bytes} bytes of files; raise "
                "KEEL_DESCRIPTOR_GIT_MAX_BYTES or keep the descriptors in a smaller repository."
            )


class _Git:
    """git commands against a scratch repository, each bounded by the checkout's deadline."""

    def __init__(self, source: _Source, *, token: str | None, username: str, deadline: float):
        self.source, self.deadline, self.token = source, deadline, token or ""
        self.scratch = Path(tempfile.mkdtemp(prefix="keel-git-"))
        self.git_dir = self.scratch / "repo.git"
        config = {
            "core.hooksPath": os.devnull,
            "core.symlinks": "true",
            "credential.helper": "",
            "http.followRedirects": "false",
            "transfer.fsckObjects": "true",
            "fetch.fsckObjects": "true",
            "init.defaultBranch": "main",
            "advice.detachedHead": "false",
        }
        if source.local:
            config["safe.directory"] = str(source.local)
        if token:
            secret = base64.b64encode(f"{username}:{token}".encode()).decode()
            config["http.extraHeader"] = f"Authorization: Basic {secret}"
        self.env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.scratch),
            "LC_ALL": "C",
            "GIT_DIR": str(self.git_dir),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ALLOW_PROTOCOL": source.protocols,
            "GIT_CONFIG_COUNT": str(len(config)),
        }
        for number, (key, value) in enumerate(config.items()):
            self.env[f"GIT_CONFIG_KEY_{number}"] = key
            self.env[f"GIT_CONFIG_VALUE_{number}"] = value
        self.run("init", "--quiet", "--bare", str(self.git_dir))

    def close(self):
        shutil.rmtree(self.scratch, ignore_errors=True)

    def _start(self, args, stdout):
        return subprocess.Popen(
            ["git", *args],
            env=self.env,
            cwd=self.scratch,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: killed with its helpers
        )

    def run(self, *args, watch=None) -> bytes:
        """Run git to the end and return its output; ``watch`` is called while it runs and may
        raise to stop it."""
        process = self._start(args, subprocess.PIPE)
        try:
            while True:
                try:
                    out, err = process.communicate(timeout=self._step())
                    break
                except subprocess.TimeoutExpired:
                    self._check_time()
                    if watch:
                        watch()
        finally:
            _kill(process)
        if process.returncode != 0:
            raise self._failure(err.decode(errors="replace"))
        if watch:  # once more on what is complete: a quick transfer is measured too
            watch()
        return out

    def stream(self, *args):
        """Run git and yield its NUL-separated output records as they come."""
        process = self._start(args, subprocess.PIPE)
        timer = threading.Timer(max(self.deadline - time.monotonic(), 0), _kill, [process])
        timer.start()
        try:
            pending = b""
            while chunk := process.stdout.read1(65536):
                *records, pending = (pending + chunk).split(b"\0")
                yield from records
            err = process.stderr.read()
            process.wait()
        finally:
            timer.cancel()
            _kill(process)
        self._check_time()
        if process.returncode != 0:
            raise self._failure(err.decode(errors="replace"))

    def _step(self) -> float:
        return max(min(POLL_SECONDS, self.deadline - time.monotonic()), 0.001)

    def _check_time(self):
        if time.monotonic() >= self.deadline:
            raise SourceUnavailable(
                f"Reading {self.source.display} took longer than the time allowed; try again "
                "later, or raise KEEL_DESCRIPTOR_GIT_TIMEOUT for a slow host."
            )

    def _failure(self, stderr: str) -> SourceError:
        """What git's complaint means for the person who configured the location."""
        where = self.source.display
        text = stderr.replace(self.token, "***") if self.token else stderr
        status = re.search(r"returned error: (\d{3})", text)
        code = int(status.group(1)) if status else None
        if "could not resolve host" in text.lower():
            return SourceUnavailable(f"The host of {where} could not be found; check the address.")
        if re.search(
            r"failed to connect|connection refused|timed out|connection reset", text, re.I
        ):
            return SourceUnavailable(f"Could not connect to the host of {where}; try again later.")
        if (
            code in (401, 403)
            or "authentication failed" in text.lower()
            or "could not read" in text
        ):
            return SourceError(
                f"{where} refused access: give a token that may read the repository"
                + (" (the one given was refused)." if self.token else ".")
            )
        if code and 300 <= code < 400:
            return SourceError(
                f"{where} redirects to another address; use the repository's current address."
            )
        if code == 404 or "not found" in text or "does not appear to be a git repository" in text:
            return SourceError(f"There is no git repository at {where}.")
        if code in (408, 429) or (code and code >= 500):
            return SourceUnavailable(f"The host of {where} answered {code}; try again later.")
        if "ssl" in text.lower() or "certificate" in text.lower():
            return SourceError(f"The TLS certificate of {where} could not be verified.")
        if "not our ref" in text or "upload-pack: not our" in text:
            return SourceError(f"{where} does not offer that commit; give a branch or tag.")
        if "fsck" in text or "error in object" in text or "bad tree" in text:
            return SourceError(f"{where} sent objects git refuses as malformed or unsafe.")
        last = [line for line in text.splitlines() if line.strip()][-1:] or ["no reason given"]
        return SourceError(f"git could not read {where}: {last[0].removeprefix('fatal: ')}")


def _kill(process: subprocess.Popen):
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    for pipe in (process.stdout, process.stderr):
        if pipe:
            pipe.close()
