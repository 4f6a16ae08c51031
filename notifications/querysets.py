"""Notifications as a reader sees them: with whether they have read each one."""

from django.db.models import Exists, OuterRef

from .actions import inbox
from .models import Notification, Reading


def with_read_state(queryset, user):
    """``queryset`` of notifications with ``is_read`` for ``user`` and their team: one
    query whatever the number of rows."""
    return queryset.select_related("team").annotate(
        # user.pk: None for a signed-out visitor (whose inbox is empty anyway)
        is_read=Exists(Reading.objects.filter(notification=OuterRef("pk"), user_id=user.pk))
    )


def inbox_of(user, *, unread_only: bool = False):
    found = with_read_state(inbox(user), user)
    return found.filter(is_read=False) if unread_only else found


def of_team(team, user):
    """A team's notifications for one of its members (none for anyone else)."""
    return with_read_state(
        Notification.objects.filter(team=team, team__memberships__user=user), user
    )
