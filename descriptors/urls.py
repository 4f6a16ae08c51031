from django.urls import path

from . import views

app_name = "descriptors"

urlpatterns = [
    path("", views.imports, name="imports"),
    path("upload/", views.upload, name="upload"),
    path("git/", views.register_git, name="register-git"),
    path("locations/<slug:slug>/", views.location_detail, name="location-detail"),
    path("locations/<slug:slug>/import/", views.location_import, name="location-import"),
    path("locations/<slug:slug>/delete/", views.location_delete, name="location-delete"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path(
        "entities/<str:kind>/<str:namespace>/<str:name>/",
        views.entity_detail,
        name="entity-detail",
    ),
]
