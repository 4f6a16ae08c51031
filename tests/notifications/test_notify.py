"""A breaking publish tells each affected consumer team once: inbox, e-mail to its members,
and a signed webhook; a rolled-back publish tells nobody."""

import json
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from catalog import actions as catalog_actions
from contracts import actions as contract_actions
from contracts.models import BreakingRelease, ConsumerImpact
from notifications import actions, signing
from notifications.models import Notification, WebhookDelivery
from portal.celery import app as celery_app
from portal.models import ChangeRecord, Interface
from teams.factories import MembershipFactory
from tests.contracts.conftest import SDL_BREAKING

VIA = Interface.API


def publish_breaking(api, actor):
    return catalog_actions.publish_api_version(
        api, actor=actor, via=VIA, version="2.0.0", spec=SDL_BREAKING
    )


def test_a_breaking_publish_tells_each_consumer_team_once_by_inbox_mail_and_signed_webhook(
    api, member, two_consumers, shop_team, shop_member, search_team, search_member, receiver,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    second_shop = MembershipFactory(team=shop_team).user
    shop_hook, shop_secret = actions.set_team_webhook(
        shop_team, url=receiver.url + "/keel", actor=MembershipFactory(
            team=shop_team, role="lead").user, via=VIA,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        publish_breaking(api, member)

    # the inbox: one notification per affected team, none to the provider
    notes = {n.team.slug: n for n in Notification.objects.select_related("team")}
    assert set(notes) == {"shop", "search-team"}
    shop_note = notes["shop"]
    assert shop_note.kind == "breaking_version" and shop_note.about == BreakingRelease.objects.get()
    assert "shop-web (declares ^1.0)" in shop_note.body and "Query.pet" in shop_note.body
    assert shop_note.url == "/apis/pets/breaking/2.0.0/"

    # e-mail: one message to each member of each affected team, nobody else
    to = sorted(address for message in mail.outbox for address in message.to)
    members = [shop_member, second_shop, search_member] + list(shop_team.members.all())
    assert to == sorted({u.email for u in members})
    assert member.email not in to
    assert all(len(message.to) == 1 for message in mail.outbox)
    assert "/apis/pets/breaking/2.0.0/" in mail.outbox[0].body

    # webhook: the shop team's receiver got one signed POST; search has no webhook
    [(path, headers, body)] = receiver.requests
    assert path == "/keel" and headers["X-Keel-Event"] == "breaking_version"
    assert signing.verify(
        shop_secret, headers["X-Keel-Timestamp"], body, headers["X-Keel-Signature"],
        now=time.time(),
    )  # fmt: skip
    assert not signing.verify(
        "other", headers["X-Keel-Timestamp"], body, headers["X-Keel-Signature"], now=time.time()
    )
    assert not signing.verify(
        shop_secret, headers["X-Keel-Timestamp"], body + b" ", headers["X-Keel-Signature"],
        now=time.time(),
    )  # fmt: skip
    payload = json.loads(body)
    assert payload["team"] == "shop" and payload["url"].endswith("/apis/pets/breaking/2.0.0/")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.outcome, delivery.response_code, delivery.attempt) == ("delivered", 200, 1)
    assert delivery.notification == shop_note


def test_a_rolled_back_publish_tells_nobody(
    api, member, two_consumers, receiver, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        publish_breaking(api, member)
        assert Notification.objects.count() == 2  # written in the publish's transaction
        raise RuntimeError("the publish fails after the notifications were written")
    assert Notification.objects.count() == 0 and BreakingRelease.objects.count() == 0
    assert callbacks == [] and mail.outbox == [] and receiver.requests == []


def test_unread_counts_are_per_person_and_marking_read_is_for_ones_own_inbox(
    api, member, two_consumers, shop_team, shop_member, search_member,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    other_shop = MembershipFactory(team=shop_team).user
    with django_capture_on_commit_callbacks(execute=True):
        publish_breaking(api, member)
    assert [actions.unread(u).count() for u in (shop_member, other_shop, member)] == [1, 1, 0]
    search_note = Notification.objects.get(team__slug="search-team")
    with pytest.raises(ValidationError, match="No such notification"):
        actions.mark_read(shop_member, ids=[search_note.pk])
    assert actions.mark_read(shop_member) == 1
    assert [actions.unread(u).count() for u in (shop_member, other_shop)] == [0, 1]
    assert actions.mark_read(shop_member) == 0
    assert actions.mark_read(search_member, ids=[search_note.pk]) == 1
    assert list(actions.inbox(shop_member)) == list(Notification.objects.filter(team=shop_team))


def test_acknowledged_by_all_and_sunset_are_told_too(
    api, member, two_consumers, shop_member, search_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish_breaking(api, member)
        for key, who in (("shop", shop_member), ("search", search_member)):
            impact = ConsumerImpact.objects.get(consumption=two_consumers[key])
            contract_actions.acknowledge_breaking_version(impact, actor=who, via=VIA)
    released = Notification.objects.filter(kind="released")
    assert sorted(n.team.slug for n in released) == ["payments", "search-team", "shop"]
    # a second breaking major, released by a sunset: the consumers learn the deadline
    catalog_actions.publish_api_version(
        api, actor=member, via=VIA, version="3.0.0",
        spec=SDL_BREAKING.replace("  name: String!\n", ""),
    )  # fmt: skip
    release = BreakingRelease.objects.get(version__version="3.0.0")
    later = timezone.localdate() + timedelta(days=40)
    contract_actions.set_sunset(release, sunset_on=later, actor=member, via=VIA)
    sunset = Notification.objects.filter(kind="sunset")
    assert sorted(n.team.slug for n in sunset) == ["search-team", "shop"]
    assert all(str(later) in n.subject for n in sunset)


def test_a_webhook_is_set_by_leads_with_history_and_its_secret_kept_out_of_it(
    shop_team, shop_member, settings
):
    lead = MembershipFactory(team=shop_team, role="lead").user
    settings.KEEL_NOTIFY_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(PermissionDenied):
        actions.set_team_webhook(
            shop_team, url="https://93.184.215.14/x", actor=shop_member, via=VIA
        )
    for internal in ("http://127.0.0.1:8000/", "http://10.0.0.7/", "http://169.254.169.254/"):
        with pytest.raises(ValidationError, match="internal address"):
            actions.set_team_webhook(shop_team, url=internal, actor=lead, via=VIA)
    with pytest.raises(ValidationError):
        actions.set_team_webhook(shop_team, url="ftp://93.184.215.14/", actor=lead, via=VIA)
    hook, secret = actions.set_team_webhook(
        shop_team, url="https://93.184.215.14/x", actor=lead, via=VIA
    )
    assert len(secret) >= 40
    same, none = actions.set_team_webhook(
        shop_team, url="https://93.184.215.14/y", actor=lead, via=VIA
    )
    assert none is None and same.secret == secret
    _, rotated = actions.set_team_webhook(
        shop_team, url="https://93.184.215.14/y", rotate_secret=True, actor=lead, via=VIA
    )
    assert rotated != secret
    records = ChangeRecord.objects.filter(object_id=hook.pk, content_type__model="teamwebhook")
    assert records.count() == 3
    assert all("secret" not in (r.after or {}) for r in records)
    assert secret not in str(list(records.values()))


def test_failed_deliveries_are_retried_and_each_attempt_recorded(
    api, member, two_consumers, shop_team, receiver, settings, django_capture_on_commit_callbacks
):
    settings.KEEL_NOTIFY_RETRIES = 2
    celery_app.conf.task_eager_propagates = False  # eager retries run only when not raised
    lead = MembershipFactory(team=shop_team, role="lead").user
    actions.set_team_webhook(shop_team, url=receiver.url, actor=lead, via=VIA)
    receiver.codes = [503, 500, 502]  # three failures: more than two retries
    with django_capture_on_commit_callbacks(execute=True):
        publish_breaking(api, member)
    attempts = list(
        WebhookDelivery.objects.order_by("attempt").values_list(
            "attempt", "outcome", "response_code"
        )
    )
    assert attempts == [(1, "retrying", 503), (2, "retrying", 500), (3, "failed", 502)]


def test_an_internal_address_is_refused_at_sending_time_too(
    api, member, two_consumers, shop_team, receiver, settings, django_capture_on_commit_callbacks
):
    lead = MembershipFactory(team=shop_team, role="lead").user
    actions.set_team_webhook(shop_team, url=receiver.url, actor=lead, via=VIA)
    settings.KEEL_NOTIFY_WEBHOOK_ALLOW_PRIVATE = False
    with django_capture_on_commit_callbacks(execute=True):
        publish_breaking(api, member)
    delivery = WebhookDelivery.objects.get()
    assert delivery.outcome == "refused" and "internal address" in delivery.error
    assert receiver.requests == []


def test_the_readmes_receiver_snippet_verifies_keels_signature():
    from django.conf import settings

    readme = (settings.BASE_DIR / "README.md").read_text()
    snippet = readme.split("def from_keel", 1)[1].split("```", 1)[0]
    scope: dict = {}
    exec("import hashlib, hmac, time\ndef from_keel" + snippet, scope)  # noqa: S102
    body, now = b'{"id": 1}', int(time.time())
    headers = {
        "X-Keel-Timestamp": str(now),
        "X-Keel-Signature": signing.signature("s3cret", now, body),
    }
    assert scope["from_keel"]("s3cret", headers, body)
    assert not scope["from_keel"]("other", headers, body)
    old = {**headers, "X-Keel-Timestamp": str(now - 3600)}
    old["X-Keel-Signature"] = signing.signature("s3cret", now - 3600, body)
    assert not scope["from_keel"]("s3cret", old, body)


def test_a_publish_writes_its_notifications_in_one_statement_whatever_the_teams(
    api, member, two_consumers, django_assert_max_num_queries
):
    from catalog.factories import ApiConsumptionFactory, ServiceFactory
    from teams.factories import TeamFactory

    for n in range(6):
        team = TeamFactory(slug=f"more-{n}")
        consumer = ServiceFactory(slug=f"more-{n}-web", owner_team=team)
        ApiConsumptionFactory(consumer=consumer, api=api, version_requirement="^1")
    with django_assert_max_num_queries(500) as publish:
        publish_breaking(api, member)
    inserts = [
        q["sql"] for q in publish.captured_queries if 'INSERT INTO "notifications_' in q["sql"]
    ]
    assert len(inserts) == 1 and Notification.objects.count() == 8
