from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("services/", views.ServiceList.as_view(), name="service-list"),
    path("services/<slug:slug>/", views.ServiceDetail.as_view(), name="service-detail"),
    path("services/<slug:slug>/edit/", views.service_edit, name="service-edit"),
    path(
        "services/<slug:slug>/connections/",
        views.service_connections,
        name="service-connections",
    ),
    path("services/<slug:slug>/dependencies/", views.dependency_add, name="service-dependency-add"),
    path(
        "services/<slug:slug>/dependencies/<int:pk>/remove/",
        views.dependency_remove,
        name="service-dependency-remove",
    ),
    path(
        "services/<slug:slug>/consumptions/", views.consumption_add, name="service-consumption-add"
    ),
    path(
        "services/<slug:slug>/consumptions/<int:pk>/remove/",
        views.consumption_remove,
        name="service-consumption-remove",
    ),
    path("apis/", views.ApiList.as_view(), name="api-list"),
    path("apis/<slug:slug>/", views.ApiDetail.as_view(), name="api-detail"),
    path("apis/<slug:slug>/publish/", views.api_publish, name="api-publish"),
    path("apis/<slug:slug>/versions/<str:version>/spec/", views.api_spec, name="api-spec"),
    path("domains/", views.DomainList.as_view(), name="domain-list"),
    path("domains/<slug:slug>/", views.DomainDetail.as_view(), name="domain-detail"),
]
