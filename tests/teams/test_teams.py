"""Teams: small by design, always led, and never deleted while they own something."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from catalog.factories import ServiceFactory
from portal.audit import history_for, system_actor
from portal.factories import UserFactory
from portal.models import ChangeRecord
from teams import actions
from teams.factories import MembershipFactory, TeamFactory
from teams.models import Membership, Team

pytestmark = pytest.mark.django_db

LEAD, MEMBER = Membership.Role.LEAD, Membership.Role.MEMBER


def _fill(team, count: int, role=MEMBER) -> list:
    return [MembershipFactory(team=team, role=role).user for _ in range(count)]


# --- creating a team ------------------------------------------------------------------------


def test_the_creator_of_a_team_becomes_its_lead(user):
    team = actions.create_team(actor=user, via="ui", slug="search", name="Search")

    assert list(team.memberships.values_list("user", "role")) == [(user.pk, LEAD)]
    create, add = sorted(history_for(team), key=lambda r: r.id)
    assert (create.action, create.actor, create.after["slug"]) == ("create", user, "search")
    assert (add.action, add.after) == ("add_member", {"user": user.username, "role": "lead"})


def test_staff_creating_a_team_do_not_join_it(staff):
    team = actions.create_team(actor=staff, via="admin", slug="search", name="Search")

    assert not team.memberships.exists()
    assert history_for(team).get().action == "create"


@pytest.mark.parametrize("actor", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_signed_out_users_cannot_create_teams(actor):
    with pytest.raises(PermissionDenied, match="Sign in first."):
        actions.create_team(actor=actor, via="ui", slug="search", name="Search")

    assert not Team.objects.exists()


def test_inactive_users_cannot_create_teams():
    with pytest.raises(PermissionDenied):
        actions.create_team(actor=UserFactory(is_active=False), via="ui", slug="s", name="S")

    assert not Team.objects.exists()


def test_a_team_whose_creator_cannot_join_is_not_created(settings, user):
    # The team row is written first; the creator's membership then fails the size limit.
    settings.KEEL_TEAM_SIZE_LIMIT = 0
    records = ChangeRecord.objects.count()

    with pytest.raises(ValidationError, match="the limit is 0"):
        actions.create_team(actor=user, via="ui", slug="search", name="Search")

    assert not Team.objects.exists()
    assert not Membership.objects.exists()
    assert ChangeRecord.objects.count() == records


def test_a_team_cannot_be_its_own_ancestor(team):
    child = TeamFactory(parent=team)
    grandchild = TeamFactory(parent=child)

    for parent in (team, grandchild):
        with pytest.raises(ValidationError) as excinfo:
            actions.update_team(team, actor=system_actor(), via="ui", parent=parent)
        assert excinfo.value.message_dict == {"parent": ["A team cannot be its own ancestor."]}

    assert Team.objects.get(pk=team.pk).parent is None


def test_update_team_records_before_and_after_and_refuses_the_slug(team, lead):
    actions.update_team(team, actor=lead, via="ui", chat_channel="#pay")
    record = history_for(team).first()
    assert (record.action, record.before["chat_channel"], record.after["chat_channel"]) == (
        "update",
        "#payments",
        "#pay",
    )

    with pytest.raises(ValidationError) as excinfo:
        actions.update_team(team, actor=lead, via="ui", slug="pay")
    assert excinfo.value.message_dict == {"slug": ["A slug never changes once created."]}


# --- size limit -----------------------------------------------------------------------------


def test_a_team_holds_up_to_the_default_limit_of_ten_members(team):
    _fill(team, 10)

    with pytest.raises(ValidationError) as excinfo:
        MembershipFactory(team=team)

    assert excinfo.value.messages == [
        "Team payments already has 10 members, the limit is 10: keep teams small enough to "
        "feed with two pizzas, or split the team."
    ]
    assert team.memberships.count() == 10


def test_the_size_limit_follows_the_setting(settings, team):
    settings.KEEL_TEAM_SIZE_LIMIT = 2
    _fill(team, 2)
    records = ChangeRecord.objects.count()

    with pytest.raises(ValidationError, match="already has 2 members, the limit is 2"):
        actions.add_member(team, UserFactory(), actor=system_actor(), via="ui")

    assert team.memberships.count() == 2
    assert ChangeRecord.objects.count() == records


def test_the_limit_counts_the_creator(settings, user):
    settings.KEEL_TEAM_SIZE_LIMIT = 1
    team = actions.create_team(actor=user, via="ui", slug="solo", name="Solo")

    with pytest.raises(ValidationError):
        actions.add_member(team, UserFactory(), actor=user, via="ui")

    assert team.memberships.count() == 1


def test_a_freed_place_can_be_taken_again(settings, team):
    settings.KEEL_TEAM_SIZE_LIMIT = 2
    first, _ = _fill(team, 2)

    actions.remove_member(team, first, actor=system_actor(), via="ui")
    MembershipFactory(team=team)

    assert team.memberships.count() == 2


def test_a_full_team_refuses_through_model_validation_too(settings, team):
    settings.KEEL_TEAM_SIZE_LIMIT = 1
    _fill(team, 1)

    with pytest.raises(ValidationError):
        Membership(team=team, user=UserFactory()).full_clean()


def test_changing_a_role_in_a_full_team_is_not_an_addition(settings, team):
    settings.KEEL_TEAM_SIZE_LIMIT = 2
    lead_user, member_user = _fill(team, 1, LEAD) + _fill(team, 1)

    actions.change_role(team, member_user, role=LEAD, actor=lead_user, via="ui")

    assert team.memberships.get(user=member_user).role == LEAD


def test_a_user_may_be_in_several_teams_but_only_once_in_each(team, member):
    other = TeamFactory()
    MembershipFactory(team=other, user=member)

    with pytest.raises(ValidationError) as excinfo:
        MembershipFactory(team=team, user=member)

    assert excinfo.value.message_dict == {"user": ["This user is already a member of the team."]}
    assert set(member.teams.all()) == {team, other}


def test_the_database_refuses_a_duplicate_membership(team, member):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(team=team, user=member)


# --- leads ----------------------------------------------------------------------------------


def test_the_last_lead_cannot_leave_while_others_remain(team, lead, member):
    with pytest.raises(ValidationError) as excinfo:
        actions.remove_member(team, lead, actor=lead, via="ui")

    assert "last lead of team payments" in excinfo.value.message_dict["user"][0]
    assert team.memberships.filter(user=lead, role=LEAD).exists()


def test_the_last_lead_cannot_be_demoted_while_others_remain(team, lead, member):
    records = ChangeRecord.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        actions.change_role(team, lead, role=MEMBER, actor=lead, via="ui")

    assert "make another member a lead first" in excinfo.value.message_dict["user"][0]
    assert team.memberships.get(user=lead).role == LEAD
    assert ChangeRecord.objects.count() == records


def test_a_lead_may_step_down_once_there_is_another_lead(team, lead, member):
    actions.change_role(team, member, role=LEAD, actor=lead, via="ui")

    actions.change_role(team, lead, role=MEMBER, actor=lead, via="ui")
    actions.remove_member(team, lead, actor=member, via="ui")

    assert list(team.memberships.values_list("user", "role")) == [(member.pk, LEAD)]


def test_the_only_member_may_leave_an_otherwise_empty_team(team, lead):
    actions.remove_member(team, lead, actor=lead, via="ui")

    assert not team.memberships.exists()


def test_members_who_are_not_leads_can_always_be_removed(team, lead, member):
    actions.remove_member(team, member, actor=lead, via="api")

    record = history_for(team).first()
    assert (record.action, record.before, record.after) == (
        "remove_member",
        {"user": member.username, "role": "member"},
        None,
    )
    assert not team.memberships.filter(user=member).exists()


def test_change_role_records_before_and_after(team, lead, member):
    actions.change_role(team, member, role=LEAD, actor=lead, via="graphql")

    record = history_for(team).first()
    assert (record.action, record.interface, record.actor) == ("change_role", "graphql", lead)
    assert record.before == {"user": member.username, "role": "member"}
    assert record.after == {"user": member.username, "role": "lead"}


def test_an_unknown_role_is_refused(team, lead, member):
    with pytest.raises(ValidationError) as excinfo:
        actions.change_role(team, member, role="owner", actor=lead, via="ui")

    assert "role" in excinfo.value.message_dict
    assert team.memberships.get(user=member).role == MEMBER


def test_removing_someone_who_is_not_a_member_is_refused(team, lead, outsider):
    with pytest.raises(ValidationError) as excinfo:
        actions.remove_member(team, outsider, actor=lead, via="ui")

    assert excinfo.value.message_dict["user"] == [f"{outsider} is not a member of team payments."]


def test_only_leads_manage_membership(team, lead, member, outsider):
    newcomer = UserFactory()

    for actor in (member, outsider):
        with pytest.raises(PermissionDenied) as excinfo:
            actions.add_member(team, newcomer, actor=actor, via="ui")
        assert (
            str(excinfo.value) == "Only leads of team payments (or staff) may manage team payments."
        )
        with pytest.raises(PermissionDenied):
            actions.remove_member(team, lead, actor=actor, via="ui")
        with pytest.raises(PermissionDenied):
            actions.change_role(team, actor, role=LEAD, actor=actor, via="ui")

    actions.add_member(team, newcomer, actor=lead, via="ui")
    assert team.memberships.filter(user=newcomer, role=MEMBER).exists()


def test_add_member_records_who_was_added_and_as_what(team, lead):
    newcomer = UserFactory(username="newcomer")

    membership = actions.add_member(team, newcomer, role=LEAD, actor=lead, via="api")

    assert membership.role == LEAD
    record = history_for(team).first()
    assert (record.action, record.actor, record.interface) == ("add_member", lead, "api")
    assert record.after == {"user": "newcomer", "role": "lead"}


# --- deleting a team ------------------------------------------------------------------------


def test_a_team_that_owns_services_cannot_be_deleted_and_the_services_are_named(team, lead):
    ServiceFactory(owner_team=team, slug="checkout")
    ServiceFactory(owner_team=team, slug="billing")
    records = ChangeRecord.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        actions.delete_team(team, actor=lead, via="ui")

    assert excinfo.value.messages == [
        "Team payments still owns billing, checkout: transfer or delete those services first."
    ]
    assert Team.objects.filter(pk=team.pk).exists()
    assert ChangeRecord.objects.count() == records


def test_a_long_list_of_owned_services_is_cut_short(team):
    for n in range(21):
        ServiceFactory(owner_team=team, slug=f"svc-{n:02}")

    with pytest.raises(ValidationError) as excinfo:
        actions.delete_team(team, actor=system_actor(), via="ui")

    (message,) = excinfo.value.messages
    assert "svc-19 and more:" in message
    assert "svc-20" not in message


def test_a_team_without_services_is_deleted_with_its_memberships(team, lead, member):
    pk = team.pk

    actions.delete_team(team, actor=lead, via="ui")

    assert not Team.objects.filter(pk=pk).exists()
    assert not Membership.objects.filter(team_id=pk).exists()
    record = ChangeRecord.objects.get(action="delete", object_id=pk, parent_object_id=None)
    assert (record.actor, record.before["slug"]) == (lead, "payments")
    # each membership that went with it is recorded on the team's history
    removed = ChangeRecord.objects.filter(action="delete", parent_object_id=pk)
    assert sorted(r.before["user"] for r in removed) == sorted([lead.username, member.username])


def test_a_team_with_child_teams_cannot_be_deleted(team):
    TeamFactory(parent=team, slug="payments-risk", name="Payments Risk")

    with pytest.raises(ValidationError) as excinfo:
        actions.delete_team(team, actor=system_actor(), via="ui")

    assert "Payments Risk" in excinfo.value.messages[0]
    assert Team.objects.filter(pk=team.pk).exists()


def test_only_leads_may_delete_a_team(team, lead, member):
    with pytest.raises(PermissionDenied, match="Only leads of team payments"):
        actions.delete_team(team, actor=member, via="ui")

    assert Team.objects.filter(pk=team.pk).exists()


def test_a_lone_lead_cannot_demote_themselves_and_leave_the_team_leaderless(team, lead):
    with pytest.raises(ValidationError) as excinfo:
        actions.change_role(team, lead, role=MEMBER, actor=lead, via="ui")

    assert "last lead of team payments" in excinfo.value.message_dict["user"][0]
    assert team.memberships.get(user=lead).role == LEAD
