"""Sending a notification after its transaction committed: an e-mail to each member of the
team, and a signed POST to the team's webhook. Both retry transient failures with backoff;
each webhook attempt is a ``WebhookDelivery`` row the team sees."""

import json
import smtplib
import time

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from . import signing, webhooks
from .models import Notification, TeamWebhook, WebhookDelivery

_ERROR_CHARS = WebhookDelivery._meta.get_field("error").max_length


def _backoff(retries: int) -> float:
    base = settings.KEEL_NOTIFY_RETRY_BASE_SECONDS
    return min(base * 2**retries, settings.KEEL_NOTIFY_RETRY_MAX_SECONDS)


def _text(notification: Notification) -> str:
    link = settings.KEEL_BASE_URL.rstrip("/") + notification.url
    return f"{notification.body}\n\n{link}\n\n— Keel, for team {notification.team.name}"


@shared_task(bind=True, name="notifications.send_email", time_limit=120, soft_time_limit=100)
def send_email(self, notification_id: int) -> int:
    """One message per active member with an address (nobody sees another's address)."""
    notification = Notification.objects.select_related("team").filter(pk=notification_id).first()
    if notification is None:
        return 0
    addresses = sorted(
        set(
            notification.team.members.filter(is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    if not addresses:
        return 0
    subject = f"[Keel] {notification.subject}"
    messages = [
        EmailMessage(subject, _text(notification), settings.DEFAULT_FROM_EMAIL, [address])
        for address in addresses
    ]
    try:
        return get_connection(timeout=settings.KEEL_NOTIFY_EMAIL_TIMEOUT_SECONDS).send_messages(
            messages
        )
    except (smtplib.SMTPException, OSError) as error:
        raise self.retry(
            exc=error, countdown=_backoff(self.request.retries),
            max_retries=settings.KEEL_NOTIFY_RETRIES,
        ) from error  # fmt: skip


def _transient(status: int) -> bool:
    return status >= 500 or status in {408, 425, 429}


@shared_task(bind=True, name="notifications.send_webhook", time_limit=120, soft_time_limit=100)
def send_webhook(self, notification_id: int) -> str:
    """POST the notification as JSON, signed with the team's secret (``signing``); record the
    attempt. Retried on a network error, a timeout or a 5xx/408/429 answer."""
    notification = Notification.objects.select_related("team").filter(pk=notification_id).first()
    hook = (
        TeamWebhook.objects.filter(team_id=notification.team_id).first() if notification else None
    )
    if hook is None:
        return "no webhook"
    body = json.dumps(notification.as_payload(), sort_keys=True).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Keel-Notifications",
        "X-Keel-Event": notification.kind,
        "X-Keel-Delivery": str(notification.pk),
        signing.TIMESTAMP_HEADER: str(timestamp),
        signing.SIGNATURE_HEADER: signing.signature(hook.secret, timestamp, body),
    }
    attempt = self.request.retries + 1
    last = attempt > settings.KEEL_NOTIFY_RETRIES
    started = time.monotonic()
    code, error, outcome = None, "", WebhookDelivery.Outcome.DELIVERED
    try:
        answer = webhooks.post(hook.url, body, headers)
        code = answer.status
        if not 200 <= code < 300:
            error = f"answered {code}"
            retry = _transient(code)
            outcome = (
                WebhookDelivery.Outcome.RETRYING
                if retry and not last
                else WebhookDelivery.Outcome.FAILED
            )
    except webhooks.AddressRefused as refused:
        error, outcome = str(refused), WebhookDelivery.Outcome.REFUSED
    except (OSError, ValueError) as failure:  # refused connection, timeout, TLS, bad answer
        error = f"{type(failure).__name__}: {failure}" if str(failure) else type(failure).__name__
        outcome = WebhookDelivery.Outcome.FAILED if last else WebhookDelivery.Outcome.RETRYING
    WebhookDelivery.objects.create(
        notification=notification,
        url=hook.url,
        attempt=attempt,
        outcome=outcome,
        response_code=code,
        error=error[:_ERROR_CHARS],
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    if outcome == WebhookDelivery.Outcome.RETRYING:
        raise self.retry(countdown=_backoff(self.request.retries), max_retries=None)
    return outcome
