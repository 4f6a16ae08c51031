from django.urls import path, re_path

from . import views

app_name = "delivery"

urlpatterns = [
    path("pipelines/<slug:slug>/runs/", views.pipeline_runs, name="pipeline-runs"),
    path("pipelines/<slug:slug>/runs/<int:number>/", views.run_detail, name="run-detail"),
    path(
        "pipelines/<slug:slug>/environments/<str:name>/",
        views.environment_detail,
        name="environment-detail",
    ),
    path(
        "pipelines/<slug:slug>/environments/<str:name>/rollback/",
        views.environment_rollback,
        name="environment-rollback",
    ),
    path("services/<slug:slug>/delivery/", views.service_delivery, name="service-delivery"),
    path("pipelines/<slug:slug>/runs/<int:number>/approve/", views.approve, name="run-approve"),
    path("pipelines/<slug:slug>/events-secret/", views.events_secret, name="events-secret"),
    path("dora/", views.dora_figures, name="dora"),
    re_path(
        r"^artifacts/(?P<digest>[0-9a-f]{64})/$", views.artifact_detail, name="artifact-detail"
    ),
]
