from django.urls import path, re_path

from . import git_http, views

app_name = "scaffolding"

urlpatterns = [
    path("create/", views.create, name="create"),
    path("create/runs/", views.run_list, name="run-list"),
    path("create/runs/<uuid:uuid>/", views.run_detail, name="run-detail"),
    path("create/runs/<uuid:uuid>/retry/", views.run_retry, name="run-retry"),
    path("pipelines/<slug:slug>/", views.pipeline_detail, name="pipeline-detail"),
    re_path(
        r"^git/(?P<slug>[^/]+)\.git/(?P<path>info/refs|git-upload-pack|git-receive-pack|HEAD)$",
        git_http.git_endpoint,
        name="git",
    ),
    re_path(r"^git/(?P<slug>[^/]+)\.git/?$", git_http.repository_page, name="git-repository"),
]
