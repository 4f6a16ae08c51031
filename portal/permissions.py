"""All authorization in one place, used by pages, REST, GraphQL, the admin and every action.

The rules:
- anonymous users may read nothing;
- any signed-in, active user may read everything (``view``);
- staff administer Keel: an active staff user (or superuser) may do anything to Keel's
  records (teams, the catalog, scaffolding) through every interface, the admin included,
  whatever Django model permissions they hold or lack (``portal.backends`` answers the
  admin's ``has_perm`` from these rules). Accounts are not Keel's records: users, groups and
  tokens in the admin keep Django's model permissions, so staff cannot make themselves
  superusers;
- members of an object's owning team may ``change`` or ``delete`` it; a team "owns" itself;
- acting *as* a team (creating a service it will own, publishing under it) needs membership:
  ``can(user, "contribute", team)``;
- only a team's leads ``manage`` it: its details, its membership, deleting it;
- people are shown by username and name (``PUBLIC_USER_FIELDS``); nobody's e-mail address
  is shown by any interface (a team's own contact address is the team's to publish).

Team scope is data, not branches: every ownable model declares ``owner_team_path``, the ORM
lookup from it to its owning ``teams.Team`` ("" for a team itself).
"""

from django.core.exceptions import PermissionDenied
from django.db import models

VIEW, CHANGE, DELETE, CONTRIBUTE, MANAGE = "view", "change", "delete", "contribute", "manage"
_LEAD_ONLY = {MANAGE}
# What any signed-in user may see of another person, in every interface.
PUBLIC_USER_FIELDS = ("username", "first_name", "last_name")


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_view_everything(user) -> bool:
    """Every signed-in, active user may read every record."""
    return _active(user)


def administers(user) -> bool:
    """Staff (and superusers, who hold every permission) may do anything to Keel's records."""
    return _active(user) and (user.is_staff or user.is_superuser)


def owning_team(obj):
    """Follow the model's declared ``owner_team_path`` from ``obj`` to its team."""
    target = obj
    path = type(obj).owner_team_path
    for step in path.split("__") if path else ():
        target = getattr(target, step)
    return target


def _team_action(obj, action: str) -> str:
    """On a team, change and delete are management; on anything else they are membership."""
    from teams.models import Team

    if isinstance(obj, Team) and action in {CHANGE, DELETE}:
        return MANAGE
    return action


def can(user, action: str, obj: models.Model) -> bool:
    """May ``user`` perform ``action`` on ``obj``?"""
    if not _active(user):
        return False
    if action == VIEW or administers(user):
        return True
    from teams.models import Membership

    action = _team_action(obj, action)
    memberships = Membership.objects.filter(team=owning_team(obj), user=user)
    if action in _LEAD_ONLY:
        memberships = memberships.filter(role=Membership.Role.LEAD)
    return memberships.exists()


def require_signed_in(user) -> None:
    if not _active(user):
        raise PermissionDenied("Sign in first.")


def require(user, action: str, obj: models.Model) -> None:
    """Raise ``PermissionDenied`` with a message saying who may do this instead."""
    if can(user, action, obj):
        return
    require_signed_in(user)
    team = owning_team(obj)
    who = "leads" if _team_action(obj, action) in _LEAD_ONLY else "members"
    raise PermissionDenied(
        f"Only {who} of team {team.slug} (or staff) may {action} "
        f"{obj._meta.verbose_name} {getattr(obj, 'slug', obj)}."
    )


def restrict(queryset: models.QuerySet, user, action: str = VIEW) -> models.QuerySet:
    """The part of ``queryset`` that ``user`` may perform ``action`` on."""
    if not _active(user):
        return queryset.none()
    if action == VIEW or administers(user):
        return queryset
    path = queryset.model.owner_team_path
    prefix = f"{path}__" if path else ""
    from teams.models import Membership, Team

    lookup = {f"{prefix}memberships__user": user}
    # the same rule as can(): management is for leads, whatever the object
    if action in _LEAD_ONLY or (issubclass(queryset.model, Team) and action in {CHANGE, DELETE}):
        lookup[f"{prefix}memberships__role"] = Membership.Role.LEAD
    return queryset.filter(**lookup).distinct()
