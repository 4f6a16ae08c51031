"""GitHub and GitLab push webhooks: ``POST /hooks/descriptors/<location slug>/``.

Set the location's ``secret`` as the webhook's secret (GitHub: content type
``application/json``; GitLab: the secret token). Nobody signs in here: the signature is the
credential (``push_events.verify_github`` / ``verify_gitlab``), checked on the bounded raw body
before anything else is read, so a forged or altered request changes nothing.

Answers: 401 without a signature, 403 with a wrong one (or when the location has no secret),
204 for an event that is not a push (GitHub's ``ping``), 202 ``ignored`` for a push to another
repository, branch or a deleted ref, and 202 with the queued run for a push that concerns
the location (``syncing.request_sync``, trigger push: a burst of pushes joins one read).
A repeated delivery is read again; it can change nothing the first did not.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import push_events, syncing
from .git_checkout import SourceError
from .models import ImportRun, Location

HOSTED_TYPES = (Location.Type.GIT, Location.Type.GITHUB, Location.Type.GITLAB)


def _answer(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"detail": message, **extra}, status=status)


@csrf_exempt
@require_POST
def push_webhook(request, slug: str):
    location = Location.objects.filter(slug=slug.lower()).first()
    if location is None:
        return _answer(404, f"There is no location named {slug!r}.")
    if location.type not in HOSTED_TYPES:
        return _answer(404, f"Location {location.slug} is not read from a repository.")
    headers = request.headers
    provider = "github" if "X-GitHub-Event" in headers else "gitlab"
    limit = getattr(settings, "KEEL_DESCRIPTOR_WEBHOOK_MAX_BYTES", push_events.DEFAULT_MAX_BYTES)
    body = request.read(limit + 1)
    if len(body) > limit:
        return _answer(413, f"The webhook's body is larger than {limit} bytes.")
    signature = headers.get("X-Hub-Signature-256" if provider == "github" else "X-Gitlab-Token")
    if not signature:
        return _answer(
            401,
            "Unsigned: set the location's secret as the webhook's secret "
            "(GitHub: X-Hub-Signature-256; GitLab: X-Gitlab-Token).",
        )
    if not (
        push_events.verify_github(location.secret, body, signature)
        if provider == "github"
        else push_events.verify_gitlab(location.secret, signature)
    ):
        return _answer(403, "The signature does not match this location's secret.")
    try:
        push = push_events.parse_push(provider, headers, body)
    except SourceError as error:
        return _answer(400, error.message)
    if push is None:
        return HttpResponse(status=204)
    reason = _ignored(location, push)
    if reason:
        return _answer(202, reason, ignored=True)
    run = syncing.request_sync(location, trigger=ImportRun.Trigger.PUSH)
    return _answer(202, f"Location {location.slug} will be read again.", run=run.pk)


def _ignored(location: Location, push: push_events.Push) -> str:
    """Why ``push`` does not change what ``location`` reads; empty when it may."""
    if not _same_repository(location, push):
        return f"The push was made to a repository location {location.slug} does not read."
    if not push.commit:
        return f"The push deleted {push.ref}; there is nothing to read."
    wanted = location.ref
    if wanted and push.ref not in {wanted, f"refs/heads/{wanted}", f"refs/tags/{wanted}"}:
        return f"The push was made to {push.ref}; location {location.slug} reads {wanted}."
    return ""


def _same_repository(location: Location, push: push_events.Push) -> bool:
    """A git location reads one repository; an organisation or group every repository whose
    path starts with it (a numeric GitLab group id cannot be compared: any push may concern
    it, and a false match costs one read)."""
    if location.type == Location.Type.GIT:
        return push_events.concerns(push, location.target)
    group = location.target.strip("/").lower()
    if group.isdigit():
        return True
    return any(
        push_events.repository_key(url).partition("/")[2].startswith(group + "/")
        for url in push.repository_urls
    )
