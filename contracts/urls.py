from django.urls import path

from . import views

app_name = "contracts"

urlpatterns = [
    path("apis/<slug:slug>/compare/", views.compare_versions, name="compare"),
    path("apis/<slug:slug>/breaking/<str:version>/", views.release_detail, name="release"),
    path(
        "apis/<slug:slug>/breaking/<str:version>/acknowledge/<int:impact_id>/",
        views.acknowledge,
        name="acknowledge",
    ),
    path("apis/<slug:slug>/breaking/<str:version>/sunset/", views.sunset, name="sunset"),
]
