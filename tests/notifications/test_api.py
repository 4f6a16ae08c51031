"""REST and GraphQL: a person reads and marks their own teams' notifications only."""

import pytest
from rest_framework.test import APIClient

from notifications import actions
from notifications.models import Notification
from tests.graphql.conftest import GraphQLClient


@pytest.fixture
def told(shop_team, search_team):
    for team in (shop_team, search_team):
        for n in range(3):
            actions.notify(
                [team.pk], kind="sunset", subject=f"{team.slug} {n}", body="b", url="/apis/x/"
            )


def rest(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_rest_lists_counts_and_marks_ones_own_notifications(told, shop_member):
    client = rest(shop_member)
    listed = client.get("/api/v1/notifications/").json()
    assert listed["count"] == 3 and {n["team"] for n in listed["results"]} == {"shop"}
    assert listed["results"][0]["read"] is False and listed["results"][0]["kind"] == "sunset"
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 3}
    first = listed["results"][0]["id"]
    marked = client.post("/api/v1/notifications/mark-read/", {"ids": [first]}).json()
    assert marked == {"marked": 1, "unread": 2}
    assert client.get(f"/api/v1/notifications/{first}/").json()["read"] is True
    assert client.get("/api/v1/notifications/?unread=true").json()["count"] == 2
    assert client.post("/api/v1/notifications/mark-read/", {}).json() == {"marked": 2, "unread": 0}


def test_rest_does_not_show_or_mark_another_teams_notifications(told, shop_member):
    client = rest(shop_member)
    theirs = Notification.objects.filter(team__slug="search-team").first()
    assert client.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    refused = client.post("/api/v1/notifications/mark-read/", {"ids": [theirs.pk]})
    assert refused.status_code == 400 and "ids" in refused.json()
    bad = client.post("/api/v1/notifications/mark-read/", {"ids": ["x"]})
    assert bad.status_code == 400
    assert not theirs.readings.exists()
    assert APIClient().get("/api/v1/notifications/").status_code == 401


def test_rest_list_queries_do_not_grow(shop_team, shop_member, django_assert_max_num_queries):
    client = rest(shop_member)
    actions.notify([shop_team.pk], kind="sunset", subject="one", body="b", url="/")
    with django_assert_max_num_queries(10) as few:
        client.get("/api/v1/notifications/")
    for n in range(30):
        actions.notify([shop_team.pk], kind="sunset", subject=f"n{n}", body="b", url="/")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/api/v1/notifications/")


QUERY = """query($unread: Boolean) {
  unreadNotificationCount
  notifications(first: 10, unread: $unread) { edges { node { notificationId team kind subject read } } }
}"""
MARK = """mutation($ids: [Int!]) {
  markNotificationsRead(input: {ids: $ids}) { marked unread errors { field messages } }
}"""


def test_graphql_reads_and_marks_ones_own_inbox(told, client, shop_member):
    gql = GraphQLClient(client)
    client.force_login(shop_member)
    data = gql(QUERY)
    nodes = [edge["node"] for edge in data["notifications"]["edges"]]
    assert data["unreadNotificationCount"] == 3 and {n["team"] for n in nodes} == {"shop"}
    assert nodes[0]["kind"] == "SUNSET" and nodes[0]["read"] is False
    theirs = Notification.objects.filter(team__slug="search-team").first()
    refused = gql(MARK, {"ids": [theirs.pk]})["markNotificationsRead"]
    assert refused["errors"][0]["field"] == "ids" and refused["marked"] is None
    done = gql(MARK, {"ids": [nodes[0]["notificationId"]]})["markNotificationsRead"]
    assert (done["marked"], done["unread"], done["errors"]) == (1, 2, [])
    assert len(gql(QUERY, {"unread": True})["notifications"]["edges"]) == 2
    assert gql(MARK)["markNotificationsRead"]["unread"] == 0


def test_bad_filters_and_ids_are_refused_with_field_errors(told, shop_member):
    client = rest(shop_member)
    assert client.get("/api/v1/notifications/?unread=maybe").status_code == 400
    assert client.get("/api/v1/notifications/?kind=sunset").json()["count"] == 3
    assert client.get("/api/v1/notifications/?kind=nope").status_code == 400
    huge = client.post("/api/v1/notifications/mark-read/", {"ids": [2**70]})
    assert huge.status_code == 400 and "ids" in huge.json()
    assert client.post("/api/v1/notifications/mark-read/", {"ids": []}).status_code == 400


def test_graphql_inbox_queries_do_not_grow(
    shop_team, shop_member, client, django_assert_max_num_queries
):
    gql = GraphQLClient(client)
    client.force_login(shop_member)
    actions.notify([shop_team.pk], kind="sunset", subject="one", body="b", url="/")
    with django_assert_max_num_queries(15) as few:
        gql(QUERY)
    for n in range(10):
        actions.notify([shop_team.pk], kind="sunset", subject=f"n{n}", body="b", url="/")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(gql(QUERY)["notifications"]["edges"]) == 10
