"""Every write of notifications.

``notify`` is called by other apps inside their own write: the notifications are rows of that
transaction, and mail and webhooks are sent by Celery tasks once it commits (a slow mail
server never holds a publish, and a rolled-back publish sends nothing). Notifications and
read marks are messages, not catalog state, so they have no ChangeRecords of their own: the
change they tell of has its record. A team's webhook is team configuration, set by its leads
with history (its secret never copied there).
"""

import secrets

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal import permissions
from portal.tasks import send
from portal.writes import atomic_write, delete, locked, save_changes, save_new
from teams.models import Team

from . import webhooks
from .models import Notification, Reading, TeamWebhook

_SUBJECT_CHARS = Notification._meta.get_field("subject").max_length
_BODY_CHARS = Notification._meta.get_field("body").max_length


def draft(team_id: int, *, kind: str, subject: str, body: str, url: str, about=None):
    """A notification to one team, not yet written (``send_all`` writes a batch at once)."""
    return Notification(
        team_id=team_id,
        kind=kind,
        subject=subject[:_SUBJECT_CHARS],
        body=body[:_BODY_CHARS],
        url=url,
        about_type=ContentType.objects.get_for_model(about) if about is not None else None,
        about_id=str(about.pk) if about is not None else "",
    )


def notify(team_ids, **message) -> list:
    """One notification to each team of ``team_ids`` (once each), sent after commit."""
    return send_all([draft(team_id, **message) for team_id in sorted(set(team_ids) - {None})])


def send_all(drafts: list) -> list:
    """Write ``drafts`` in one statement, and send each once the transaction commits."""
    if not drafts:
        return []
    with atomic_write():
        created = Notification.objects.bulk_create(drafts)
        sent = [n.pk for n in created]
        # robust: a broker that is down is logged, and never fails the committed change
        transaction.on_commit(lambda: _deliver(sent), robust=True)
    return created


def _deliver(notification_ids: list[int]) -> None:
    from . import tasks

    for pk in notification_ids:
        send(tasks.send_email, pk)
        send(tasks.send_webhook, pk)


def inbox(user):
    """The notifications ``user`` may read: their teams' (staff included: an inbox is a
    person's, not an administrator's view)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Notification.objects.none()
    return Notification.objects.filter(team__memberships__user=user)


def unread(user):
    return inbox(user).exclude(readings__user=user)


def mark_read(user, *, ids=None) -> int:
    """Mark the notifications ``ids`` (all of the inbox when None) read for ``user``.
    An id outside the person's inbox is refused, not skipped: it names someone else's."""
    permissions.require_signed_in(user)
    wanted = unread(user)
    if ids is not None:
        ids = _ids(ids)
        mine = set(inbox(user).filter(pk__in=ids).values_list("pk", flat=True))
        if ids - mine:
            raise ValidationError(
                {
                    "ids": f"No such notification in your inbox: {', '.join(map(str, sorted(ids - mine)))}."
                }
            )
        wanted = wanted.filter(pk__in=ids)
    with transaction.atomic():
        pks = list(wanted.values_list("pk", flat=True))
        Reading.objects.bulk_create(
            [Reading(notification_id=pk, user=user) for pk in pks], ignore_conflicts=True
        )
    return len(pks)


def _ids(values) -> set[int]:
    try:
        ids = {int(value) for value in values}
    except (TypeError, ValueError):
        ids = {0}
    if not ids or not all(0 < pk < 2**63 for pk in ids):
        raise ValidationError({"ids": "Give the ids of notifications in your inbox."})
    return ids


def _check_url(url: str) -> None:
    try:
        webhooks.checked_address(url)
    except webhooks.AddressRefused as error:
        raise ValidationError({"url": str(error)}) from error


def _locked_for_leads(team: Team, actor) -> Team:
    """The team locked, for a lead (or staff). The team row itself does not change, so a
    team a descriptor manages takes a webhook too (as an API takes a contract policy)."""
    current = locked(team, actor=actor, action=permissions.CONTRIBUTE)
    permissions.require(actor, permissions.MANAGE, current)
    return current


def set_team_webhook(team: Team, *, url: str, rotate_secret: bool = False, actor, via: str):
    """Set the team's webhook URL (leads and staff). A new webhook, or ``rotate_secret``,
    draws a new secret: returned once as ``(webhook, secret)``; otherwise secret is None."""
    with atomic_write():
        current = _locked_for_leads(team, actor)
        hook = TeamWebhook.objects.select_for_update().filter(team=current).first()
        TeamWebhook(url=url).clean_fields(exclude=["team", "secret", "secret_drawn_at"])
        _check_url(url)
        secret = secrets.token_urlsafe(32) if hook is None or rotate_secret else None
        drawn = {"secret": secret, "secret_drawn_at": timezone.now()} if secret else {}
        if hook is None:
            hook = save_new(TeamWebhook(team=current, url=url, **drawn), actor=actor, via=via)
        else:
            hook.team = current
            save_changes(
                hook, {"url": url, **drawn}, actor=actor, via=via,
                editable={"url", "secret", "secret_drawn_at"},
            )  # fmt: skip
    return hook, secret


def remove_team_webhook(team: Team, *, actor, via: str) -> None:
    with atomic_write():
        current = _locked_for_leads(team, actor)
        hook = TeamWebhook.objects.select_for_update().filter(team=current).first()
        if hook is None:
            raise ValidationError(f"Team {current.slug} has no webhook.")
        delete(hook, actor=actor, via=via)
