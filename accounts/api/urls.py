"""REST routes of the accounts app; portal/api/urls.py registers them under /api/v1/."""

from .viewsets import ApiTokenViewSet


def register(router) -> None:
    router.register("tokens", ApiTokenViewSet, basename="token")
