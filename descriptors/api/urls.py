"""REST routes of catalog as code; portal/api/urls.py registers them under /api/v1/."""

from django.urls import path

from . import viewsets

ROUTES = [
    ("locations", viewsets.LocationViewSet, "location"),
    ("import-runs", viewsets.ImportRunViewSet, "import-run"),
]

# An entity is named by its reference's three parts, each a path segment.
urlpatterns = [
    path("entities/", viewsets.EntityViewSet.as_view({"get": "list"}), name="entity-list"),
    path(
        "entities/<str:kind>/<str:namespace>/<str:name>/",
        viewsets.EntityViewSet.as_view({"get": "retrieve"}),
        name="entity-detail",
    ),
    path("export/", viewsets.ExportView.as_view(), name="export"),
]


def register(router) -> None:
    """Add the catalog-as-code routes to the portal's router."""
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
