"""Every write to teams and memberships. Forms, REST, GraphQL, the admin and jobs call these.

Each one locks the team row and checks permission against the locked copy
(``portal.writes.locked``), so membership changes and the writes they authorize are ordered.
"""

from django.core.exceptions import ValidationError

from portal import permissions
from portal.audit import record_change
from portal.models import ChangeRecord
from portal.writes import atomic_write, delete, locked, save_changes, save_new

from .models import Membership, Team

TEAM_EDITABLE = {"name", "description", "parent", "chat_channel", "email", "oncall_url"}


def create_team(*, actor, via: str, **fields) -> Team:
    """Any signed-in user may start a team; a non-staff creator becomes its first lead."""
    permissions.require_signed_in(actor)
    with atomic_write():
        team = save_new(Team(**fields), actor=actor, via=via)
        if not actor.is_staff:
            _add_membership(team, actor, Membership.Role.LEAD, actor=actor, via=via)
    return team


def update_team(team: Team, *, actor, via: str, **changes) -> Team:
    with atomic_write():
        current = locked(team, actor=actor, action=permissions.MANAGE)
        return save_changes(current, changes, actor=actor, via=via, editable=TEAM_EDITABLE)


def delete_team(team: Team, *, actor, via: str) -> None:
    """Refused while the team owns services: ownership must be transferred first."""
    with atomic_write():
        current = locked(team, actor=actor, action=permissions.MANAGE, deleting=True)
        owned = list(current.services.order_by("slug").values_list("slug", flat=True)[:21])
        if owned:
            more = " and more" if len(owned) > 20 else ""
            raise ValidationError(
                f"Team {current.slug} still owns {', '.join(owned[:20])}{more}: transfer or "
                "delete those services first."
            )
        delete(current, actor=actor, via=via)


def _membership_snapshot(membership: Membership) -> dict:
    return {"user": membership.user.get_username(), "role": membership.role}


def add_member(
    team: Team, user, *, role: str = Membership.Role.MEMBER, actor, via: str
) -> Membership:
    with atomic_write():
        current = locked(team, actor=actor, action=permissions.MANAGE)
        return _add_membership(current, user, role, actor=actor, via=via)


def _add_membership(team: Team, user, role: str, *, actor, via: str) -> Membership:
    """Called with the team row locked, so that the size limit holds under concurrent adds."""
    with atomic_write():
        membership = Membership(team=team, user=user, role=role)
        membership.full_clean()
        membership.save()
        record_change(
            actor=actor,
            via=via,
            action=ChangeRecord.Action.ADD_MEMBER,
            obj=team,
            after=_membership_snapshot(membership),
        )
    return membership


def _membership(team: Team, user) -> Membership:
    try:
        return (
            Membership.objects.select_for_update().select_related("user").get(team=team, user=user)
        )
    except Membership.DoesNotExist:
        raise ValidationError({"user": f"{user} is not a member of team {team.slug}."}) from None


def _refuse_losing_last_lead(team: Team, membership: Membership, *, staying: bool = False) -> None:
    """A team with members always has a lead. ``staying``: the member stays (a demotion)."""
    if membership.role != Membership.Role.LEAD:
        return
    others = Membership.objects.filter(team=team).exclude(pk=membership.pk)
    remaining = staying or others.exists()
    if remaining and not others.filter(role=Membership.Role.LEAD).exists():
        raise ValidationError(
            {
                "user": f"{membership.user} is the last lead of team {team.slug}: make another member a lead first."
            }
        )


def remove_member(team: Team, user, *, actor, via: str) -> None:
    with atomic_write():
        team = locked(team, actor=actor, action=permissions.MANAGE)
        membership = _membership(team, user)
        _refuse_losing_last_lead(team, membership)
        before = _membership_snapshot(membership)
        membership.delete()
        record_change(
            actor=actor, via=via, action=ChangeRecord.Action.REMOVE_MEMBER, obj=team, before=before
        )


def change_role(team: Team, user, *, role: str, actor, via: str) -> Membership:
    with atomic_write():
        team = locked(team, actor=actor, action=permissions.MANAGE)
        membership = _membership(team, user)
        before = _membership_snapshot(membership)
        if role != Membership.Role.LEAD:
            _refuse_losing_last_lead(team, membership, staying=True)
        membership.role = role
        membership.full_clean()
        membership.save(update_fields=["role", "updated_at"])
        record_change(
            actor=actor,
            via=via,
            action=ChangeRecord.Action.CHANGE_ROLE,
            obj=team,
            before=before,
            after=_membership_snapshot(membership),
        )
    return membership
