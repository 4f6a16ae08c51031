"""Writes to user accounts (made in the admin), recorded like every other write: who granted
whom staff or superuser, who changed a password, who deleted an account and which
memberships and tokens went with it."""

from portal.audit import record_change
from portal.models import ChangeRecord
from portal.writes import atomic_write, delete

_FIELDS = ("username", "first_name", "last_name", "email", "is_active", "is_staff", "is_superuser")


def user_snapshot(user) -> dict:
    """The account's fields, groups and permissions; never its password hash."""
    data = {name: getattr(user, name) for name in _FIELDS}
    if user.pk:
        data["groups"] = sorted(user.groups.values_list("name", flat=True))
        data["user_permissions"] = sorted(user.user_permissions.values_list("codename", flat=True))
    return data


def record_user_saved(user, *, before: dict | None, actor, via: str) -> None:
    """Record a created or edited account (``before``: its snapshot before the edit)."""
    after = user_snapshot(user)
    if before == after:
        return
    action = ChangeRecord.Action.CREATE if before is None else ChangeRecord.Action.UPDATE
    record_change(actor=actor, via=via, action=action, obj=user, before=before, after=after)


def record_password_changed(user, *, actor, via: str) -> None:
    record_change(
        actor=actor,
        via=via,
        action=ChangeRecord.Action.UPDATE,
        obj=user,
        before={"password": "(previous)"},
        after={"password": "(changed)"},
    )


def delete_user(user, *, actor, via: str) -> None:
    """Delete the account with its memberships and tokens, each recorded."""
    with atomic_write():
        delete(user, actor=actor, via=via)
