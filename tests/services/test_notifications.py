"""Notifications through the real tier: a breaking publish commits on PostgreSQL, and a real
Celery worker (Redis broker) mails each member of the consumer team and POSTs the signed
webhook to a receiver in this test."""

import email
import time

import pytest

from catalog.actions import publish_api_version
from catalog.factories import ApiConsumptionFactory, ApiFactory, ApiVersionFactory, ServiceFactory
from catalog.models import Api
from notifications import actions, signing
from notifications.models import Notification, WebhookDelivery
from portal.models import Interface
from teams.factories import MembershipFactory, TeamFactory

from ..contracts.conftest import SDL_BREAKING, SDL_V1
from ..notifications.conftest import receiver  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_settings(monkeypatch, tmp_path, settings):
    """What the worker process reads from its environment: private webhooks allowed (the
    receiver is on loopback) and mail written to files."""
    monkeypatch.setenv("KEEL_NOTIFY_WEBHOOK_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("EMAIL_URL", f"filemail:///{tmp_path}")  # an absolute path
    settings.KEEL_NOTIFY_WEBHOOK_ALLOW_PRIVATE = True
    return tmp_path


def _until(check, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_a_breaking_publish_is_mailed_and_posted_by_the_worker_after_commit(
    worker_settings,
    receiver,  # noqa: F811 (the fixture imported above)
    celery_worker,
    team,
    member,
    service,  # noqa: F811
):
    shop_team = TeamFactory(slug="shop")
    lead = MembershipFactory(team=shop_team, role="lead").user
    other = MembershipFactory(team=shop_team).user
    _, secret = actions.set_team_webhook(shop_team, url=receiver.url, actor=lead, via="api")
    api = ApiFactory(slug="pets", provider=service, type=Api.Type.GRAPHQL)
    ApiVersionFactory(api=api, version="1.0.0", spec=SDL_V1)
    shop = ServiceFactory(slug="shop-web", owner_team=shop_team)
    ApiConsumptionFactory(consumer=shop, api=api, version_requirement="^1.0")

    publish_api_version(api, actor=member, via=Interface.API, version="2.0.0", spec=SDL_BREAKING)

    assert Notification.objects.filter(team=shop_team).count() == 1
    assert _until(lambda: WebhookDelivery.objects.exists() and receiver.requests)
    [(_, headers, body)] = receiver.requests
    assert signing.verify(
        secret, headers["X-Keel-Timestamp"], body, headers["X-Keel-Signature"], now=time.time()
    )
    assert WebhookDelivery.objects.get().outcome == "delivered"

    def recipients() -> set:
        mailed = "".join(path.read_text() for path in worker_settings.glob("*.log"))
        return {
            email.message_from_string(chunk.strip())["To"]
            for chunk in mailed.split("-" * 79) if chunk.strip()
        }  # fmt: skip

    assert _until(lambda: recipients() >= {lead.email, other.email}), (
        list(worker_settings.iterdir()),
        recipients(),
    )
    assert member.email not in recipients()
