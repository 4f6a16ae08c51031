"""REST routes of contract governance; portal/api/urls.py includes them under /api/v1/."""

from django.urls import path

from . import views

urlpatterns = [
    path("apis/<str:slug>/check/", views.CheckView.as_view(), name="api-check"),
    path(
        "apis/<str:slug>/contract-policy/", views.PolicyView.as_view(), name="api-contract-policy"
    ),
    path(
        "apis/<str:slug>/breaking-versions/",
        views.ReleaseListView.as_view(),
        name="api-breaking-versions",
    ),
    path(
        "apis/<str:slug>/breaking-versions/<str:version>/acknowledge/",
        views.AcknowledgeView.as_view(),
        name="api-breaking-acknowledge",
    ),
    path(
        "apis/<str:slug>/breaking-versions/<str:version>/sunset/",
        views.SunsetView.as_view(),
        name="api-breaking-sunset",
    ),
    path("contracts/compare/", views.CompareView.as_view(), name="contracts-compare"),
]
