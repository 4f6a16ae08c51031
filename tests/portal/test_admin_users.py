"""Account changes made in the admin are recorded: granting staff or superuser, a password
change, a deletion and the memberships and tokens that went with it."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.factories import ApiTokenFactory
from portal.audit import history_for
from portal.factories import UserFactory
from portal.models import ChangeRecord
from teams.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _user_form(user, **overrides) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        **overrides,
    }
    return {k: v for k, v in data.items() if v is not None}


def test_granting_superuser_in_the_admin_is_recorded(admin_client, admin_user):
    user = UserFactory(username="ann")

    response = admin_client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        _user_form(user, is_staff="on", is_superuser="on"),
    )

    assert response.status_code == 302, response.content[:2000]
    record = history_for(user).get()
    assert (record.action, record.actor, record.interface) == ("update", admin_user, "admin")
    assert (record.before["is_superuser"], record.after["is_superuser"]) == (False, True)
    assert record.changed_fields == ["is_staff", "is_superuser"]
    assert "password" not in record.after


def test_a_password_change_in_the_admin_is_recorded_without_the_password(admin_client, admin_user):
    user = UserFactory(username="ann")

    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "a-Long-new-passw0rd", "password2": "a-Long-new-passw0rd"},
    )

    assert response.status_code == 302
    record = history_for(user).get()
    assert record.after == {"password": "(changed)"}
    assert "a-Long-new-passw0rd" not in str(record.before) + str(record.after)


def test_deleting_a_user_records_the_account_and_its_memberships_never_a_token_key(
    admin_client, admin_user
):
    membership = MembershipFactory()
    user = membership.user
    token = ApiTokenFactory(user=user)
    key, digest = token.key, token.digest

    response = admin_client.post(reverse("admin:auth_user_delete", args=[user.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    records = ChangeRecord.objects.filter(action="delete", interface="admin").select_related(
        "content_type"
    )
    assert sorted(r.content_type.model for r in records) == ["apitoken", "membership", "user"]
    assert all(r.actor == admin_user and r.interface == "admin" for r in records)
    for record in ChangeRecord.objects.all():  # no password hash or token key in history
        text = f"{record.object_repr} {record.before} {record.after}"
        assert key not in text and digest not in text and user.password not in text


def test_adding_a_user_in_the_admin_is_recorded(admin_client):
    response = admin_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "bob",
            "password1": "a-Long-new-passw0rd",
            "password2": "a-Long-new-passw0rd",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302
    record = ChangeRecord.objects.get(content_type__model="user")
    assert (record.action, record.after["username"]) == ("create", "bob")
