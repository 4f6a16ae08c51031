"""The unread count in every page's navigation: one count query, only when a page shows it."""

from django.utils.functional import SimpleLazyObject

from .actions import unread


def unread_notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread(user).count())}
