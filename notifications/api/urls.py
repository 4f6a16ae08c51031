"""REST routes of notifications; portal/api/urls.py registers them under /api/v1/."""

from .viewsets import NotificationViewSet


def register(router) -> None:
    router.register("notifications", NotificationViewSet, basename="notification")
