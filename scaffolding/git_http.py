"""Repositories of the local provider, over git's smart HTTP protocol.

``git clone http://<portal>/git/<slug>.git`` works with HTTP Basic authentication: the
username and one of the user's API tokens as the password (``accounts.tokens``; created on
the tokens page), or a signed-in browser session; an address that keeps presenting refused
tokens gets 429 with ``Retry-After``. Any active, signed-in user may read (as for everything
else in the portal). ``git push`` needs a read-and-write token of someone who may change the
service of that name (its team's members, or staff; staff only for a repository without a
service), and it may neither delete a branch nor rewrite its history. A push that moves
``main`` sends ``scaffolding.signals.repository_pushed``, so that what reads the repository
(catalog locations) reads it again within seconds.

The work is done by ``git http-backend`` (git's own CGI program), started without a shell,
with a minimal environment, and only after the repository name has passed
``safety.check_repository_name`` and the path is one of the smart protocol's endpoints. A
push's body is read up to ``KEEL_GIT_MAX_PUSH_BYTES`` (default 100 MiB).
"""

import base64
import binascii
import logging
import subprocess

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from accounts import throttle, tokens
from catalog.models import Service
from portal import permissions
from portal.pages import by_slug

from .gitops import BRANCH
from .providers.local import repository_path
from .signals import repository_pushed

SERVICES = {"git-upload-pack", "git-receive-pack"}
BACKEND_TIMEOUT = 120
DEFAULT_MAX_PUSH_BYTES = 100 * 1024 * 1024

log = logging.getLogger(__name__)


def _basic_user(request):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        username, _, secret = base64.b64decode(encoded.strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return tokens.user_for_git(username, secret, throttle.client_address(request))


def authenticated(request):
    """The user, and whether they came with a read-and-write token (a browser session
    reads only), or None."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        return user, False
    found = _basic_user(request)
    return None if found is None else (found[0], found[1].may_write)


def push_refusal(user, may_write: bool, slug: str) -> str:
    """Why ``user`` may not push to repository ``slug``; empty when they may."""
    if not may_write:
        return "Push with a read-and-write API token (this one, or a browser session, reads only)."
    service = Service.objects.filter(slug=slug).select_related("owner_team").first()
    if service is None:
        if permissions.administers(user):
            return ""
        return f"No service is named {slug}: only staff may push to this repository."
    if permissions.can(user, permissions.CHANGE, service):
        return ""
    return f"Only members of team {service.owner_team.slug} (or staff) may push to {slug}."


def _challenge():
    response = HttpResponse(
        "Sign in with your username and a Keel API token as the password.\n",
        status=401,
        content_type="text/plain",
    )
    response["WWW-Authenticate"] = 'Basic realm="Keel git", charset="UTF-8"'
    return response


def _plain(status, text):
    return HttpResponse(text + "\n", status=status, content_type="text/plain")


@require_safe
@login_required
def repository_page(request, slug: str):
    """The repository's own URL, opened in a browser (a service's Repository link): git never
    asks for it, so send people to the service's page, which says how to clone."""
    return redirect(by_slug(Service.objects.all(), slug))


@csrf_exempt
def git_endpoint(request, slug: str, path: str):
    try:
        repo = repository_path(slug)
    except ValidationError:
        return _plain(404, "No such repository.")
    try:
        found = authenticated(request)
    except throttle.TooManyFailures as refusal:
        response = _plain(429, f"{refusal.message} Try again in {refusal.retry_after} seconds.")
        response["Retry-After"] = str(refusal.retry_after)
        return response
    if found is None:
        return _challenge()
    user, may_write = found
    if path not in SERVICES | {"info/refs"} or not (repo / "HEAD").is_file():
        return _plain(404, "No such repository.")
    service = request.GET.get("service", "") if path == "info/refs" else path
    if service not in SERVICES:
        return _plain(403, "Only git's smart protocol is served here.")
    if request.method not in ({"GET"} if path == "info/refs" else {"POST"}):
        return _plain(405, "Method not allowed.")
    if service == "git-receive-pack":
        refusal = push_refusal(user, may_write, slug)
        if refusal:
            return _plain(403, refusal)
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(settings.DATA_DIR),
        "GIT_PROJECT_ROOT": str(repo.parent),
        "GIT_HTTP_EXPORT_ALL": "1",
        "PATH_INFO": f"/{slug}.git/{path}",
        "REQUEST_METHOD": request.method,
        "QUERY_STRING": f"service={service}" if service else "",
        "CONTENT_TYPE": request.META.get("CONTENT_TYPE", ""),
        "REMOTE_USER": user.get_username(),
        "REMOTE_ADDR": request.META.get("REMOTE_ADDR", ""),
        "SERVER_PROTOCOL": "HTTP/1.1",
        # The repositories are created by this portal's own processes. A push may not delete
        # a branch or rewrite its history, and what it sends is checked.
        "GIT_CONFIG_COUNT": "4",
        "GIT_CONFIG_KEY_0": "safe.directory",
        "GIT_CONFIG_VALUE_0": str(repo),
        "GIT_CONFIG_KEY_1": "receive.denyDeletes",
        "GIT_CONFIG_VALUE_1": "true",
        "GIT_CONFIG_KEY_2": "receive.denyNonFastForwards",
        "GIT_CONFIG_VALUE_2": "true",
        "GIT_CONFIG_KEY_3": "receive.fsckObjects",
        "GIT_CONFIG_VALUE_3": "true",
    }
    if request.META.get("HTTP_GIT_PROTOCOL"):
        env["GIT_PROTOCOL"] = request.META["HTTP_GIT_PROTOCOL"]
    if request.META.get("HTTP_CONTENT_ENCODING"):
        env["HTTP_CONTENT_ENCODING"] = request.META["HTTP_CONTENT_ENCODING"]
    if request.method != "POST":
        body = b""
    elif path == "git-receive-pack":
        limit = getattr(settings, "KEEL_GIT_MAX_PUSH_BYTES", DEFAULT_MAX_PUSH_BYTES)
        body = request.read(limit + 1)
        if len(body) > limit:
            return _plain(413, f"A push is limited to {limit} bytes; push in smaller steps.")
    else:
        body = request.body
    env["CONTENT_LENGTH"] = str(len(body))
    before = _main(repo) if path == "git-receive-pack" else None
    try:
        completed = subprocess.run(
            ["git", "http-backend"],
            input=body,
            env=env,
            capture_output=True,
            timeout=BACKEND_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return _plain(504, "git took too long to answer.")
    response = _cgi_response(completed.stdout)
    if path == "git-receive-pack" and response.status_code == 200:
        after = _main(repo)
        if after and after != before:
            answers = repository_pushed.send_robust(
                sender=git_endpoint, slug=slug, ref=BRANCH.decode(), commit=after, pusher=user
            )
            for receiver, error in answers:
                if isinstance(error, Exception):  # the push itself succeeded: say so to git
                    log.error("%s failed on a push to %s", receiver, slug, exc_info=error)
    return response


def _main(repo) -> str:
    """The commit ``main`` points at, or empty."""
    found = subprocess.run(
        ["git", "--git-dir", str(repo), "rev-parse", "--verify", "--quiet", BRANCH.decode()],
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "GIT_CONFIG_COUNT": "1",
             "GIT_CONFIG_KEY_0": "safe.directory", "GIT_CONFIG_VALUE_0": str(repo)},
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    return found.stdout.strip() if found.returncode == 0 else ""


def _cgi_response(output: bytes) -> HttpResponse:
    head, _, body = output.partition(b"\r\n\r\n")
    if not _:
        head, _, body = output.partition(b"\n\n")
    status, headers = 200, {}
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        if name.lower() == "status":
            status = int(value.strip().split()[0])
        elif name:
            headers[name.strip()] = value.strip()
    response = HttpResponse(body, status=status, content_type=headers.pop("Content-Type", None))
    for name, value in headers.items():
        response[name] = value
    return response
