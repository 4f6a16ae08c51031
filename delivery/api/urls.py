"""REST routes of delivery; portal/api/urls.py registers them under /api/v1/."""

from django.urls import path

from .. import events
from . import views, viewsets

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


urlpatterns = [
    path("delivery/events/", events.receive, name="delivery-events"),
    path("dora/", views.DoraView.as_view(), name="api-dora"),
    path(
        "pipelines/<str:slug>/can-promote/",
        views.CanPromoteView.as_view(),
        name="pipeline-can-promote",
    ),
    path(
        "pipelines/<str:slug>/violations/",
        views.ViolationsView.as_view(),
        name="pipeline-violations",
    ),
    path(
        "pipelines/<str:slug>/events-secret/",
        views.EventSecretView.as_view(),
        name="pipeline-events-secret",
    ),
    path(
        "pipelines/<str:slug>/environments/<str:name>/approvals/",
        views.ApprovalsView.as_view(),
        name="pipeline-approvals",
    ),
]
