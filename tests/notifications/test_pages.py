"""The inbox page, the unread badge, the home and team previews, and the webhook page."""

import pytest
from django.urls import reverse

from notifications import actions
from notifications.models import Notification, TeamWebhook
from portal.models import ChangeRecord
from teams.factories import MembershipFactory, TeamFactory


@pytest.fixture
def told(shop_team, search_team):
    for team in (shop_team, search_team):
        for n in range(3):
            actions.notify(
                [team.pk], kind="breaking_version", subject=f"{team.slug} news {n}",
                body="Something <b>broke</b>.", url="/apis/pets/",
            )  # fmt: skip


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_inbox_lists_ones_teams_notifications_with_a_badge_and_marks_them_read(
    client, told, shop_member
):
    client = signed_in(client, shop_member)
    page = client.get(reverse("notifications:inbox"))
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count("shop news") == 3 and "search-team news" not in text
    assert "Something &lt;b&gt;broke&lt;/b&gt;." in text  # escaped
    assert 'class="badge warn unread-count">3<' in text
    one = Notification.objects.filter(team__slug="shop").first()
    client.post(reverse("notifications:mark-read"), {"id": one.pk, "next": "/inbox/"})
    assert actions.unread(shop_member).count() == 2
    unread = client.get(reverse("notifications:inbox") + "?unread=1").content.decode()
    assert unread.count("shop news") == 2
    answer = client.post(
        reverse("notifications:mark-read"), {"all": "1", "next": "https://evil.example/"}
    )
    assert answer.url == reverse("notifications:inbox")
    assert actions.unread(shop_member).count() == 0
    assert "unread-count" not in client.get(reverse("notifications:inbox")).content.decode()


def test_marking_another_teams_notification_is_refused(client, told, shop_member):
    theirs = Notification.objects.filter(team__slug="search-team").first()
    signed_in(client, shop_member).post(reverse("notifications:mark-read"), {"id": theirs.pk})
    assert not theirs.readings.exists()


def test_home_and_team_pages_preview_the_inbox_for_members_only(
    client, told, shop_team, shop_member, search_member
):
    client = signed_in(client, shop_member)
    home = client.get("/").content.decode()
    assert "Your inbox" in home and "shop news 2" in home and "3 unread" in home
    team = client.get(shop_team.get_absolute_url()).content.decode()
    assert "Notifications of the team" in team and "shop news" in team
    client.force_login(search_member)
    other = client.get(shop_team.get_absolute_url()).content.decode()
    assert "shop news" not in other and "Notifications of the team" not in other


def test_the_inbox_page_queries_do_not_grow_with_notifications(
    client, shop_team, shop_member, django_assert_max_num_queries
):
    client = signed_in(client, shop_member)
    actions.notify([shop_team.pk], kind="sunset", subject="one", body="b", url="/")
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("notifications:inbox"))
    for n in range(20):
        actions.notify([shop_team.pk], kind="sunset", subject=f"more {n}", body="b", url="/")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("notifications:inbox"))


def test_leads_set_the_webhook_and_see_the_secret_once_members_see_deliveries(
    client, shop_team, shop_member, settings
):
    settings.KEEL_NOTIFY_WEBHOOK_ALLOW_PRIVATE = True
    lead = MembershipFactory(team=shop_team, role="lead").user
    url = reverse("notifications:webhook", kwargs={"slug": shop_team.slug})
    member_client = signed_in(client, shop_member)
    assert member_client.get(url).status_code == 200
    assert member_client.post(url, {"url": "https://hooks.example/x"}).status_code == 403
    client.force_login(lead)
    bad = client.post(url, {"url": "not a url"})
    assert bad.status_code == 400
    answer = client.post(url, {"url": "http://127.0.0.1:9/keel"})
    hook = TeamWebhook.objects.get(team=shop_team)
    assert hook.secret in answer.content.decode()
    assert hook.secret not in client.get(url).content.decode()  # shown once
    assert ChangeRecord.objects.filter(content_type__model="teamwebhook").count() == 1
    outsider = MembershipFactory(team=TeamFactory(slug="elsewhere")).user
    client.force_login(outsider)
    assert client.get(url).status_code == 403


def test_the_inbox_refuses_a_filter_that_is_neither_yes_nor_no(client, told, shop_member):
    client = signed_in(client, shop_member)
    assert client.get(reverse("notifications:inbox") + "?unread=maybe").status_code == 400
    refused = client.post(reverse("notifications:mark-read"), {"id": "99999999999999999999999"})
    assert refused.status_code == 302 and actions.unread(shop_member).count() == 3
