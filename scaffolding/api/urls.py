"""REST routes of the scaffolding app; portal/api/urls.py registers them under /api/v1/."""

from rest_framework.routers import SimpleRouter

from . import viewsets

ROUTES = [
    ("templates", viewsets.TemplateViewSet, "template"),
    ("scaffold-runs", viewsets.ScaffoldRunViewSet, "scaffold-run"),
    ("pipelines", viewsets.PipelineViewSet, "pipeline"),
]


def register(router) -> None:
    """Add the scaffolding routes to the portal's router."""
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)


router = SimpleRouter()
register(router)
urlpatterns = router.urls
