"""REST routes of delivery; portal/api/urls.py registers them under /api/v1/."""

from . import viewsets

ROUTES = [
    (r"pipelines/(?P<pipeline_slug>[^/.]+)/runs", viewsets.PipelineRunsViewSet, "pipeline-run"),
    ("runs", viewsets.RunViewSet, "run"),
    (
        r"pipelines/(?P<pipeline_slug>[^/.]+)/environments",
        viewsets.PipelineEnvironmentsViewSet,
        "pipeline-environment",
    ),
    (
        r"pipelines/(?P<pipeline_slug>[^/.]+)/deployments",
        viewsets.PipelineDeploymentsViewSet,
        "pipeline-deployment",
    ),
]


def register(router) -> None:
    """Add the delivery routes to the portal's router."""
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
