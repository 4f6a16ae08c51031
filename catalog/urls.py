from django.urls import path

from . import views
from .models import BusinessDomain, System

app_name = "catalog"
SYSTEM, DOMAIN = {"model": System}, {"model": BusinessDomain}

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
    # "-" is never a slug: the pages of a collection that are not an object live under it.
    path("systems/", views.SystemList.as_view(), name="system-list"),
    path("systems/-/new/", views.grouping_create, SYSTEM, name="system-create"),
    path("systems/<slug:slug>/", views.SystemDetail.as_view(), name="system-detail"),
    path("systems/<slug:slug>/edit/", views.grouping_edit, SYSTEM, name="system-edit"),
    path("systems/<slug:slug>/delete/", views.grouping_delete, SYSTEM, name="system-delete"),
    path("business-domains/", views.BusinessDomainList.as_view(), name="business-domain-list"),
    path("business-domains/-/new/", views.grouping_create, DOMAIN, name="business-domain-create"),
    path(
        "business-domains/<slug:slug>/",
        views.BusinessDomainDetail.as_view(),
        name="business-domain-detail",
    ),
    path(
        "business-domains/<slug:slug>/edit/",
        views.grouping_edit,
        DOMAIN,
        name="business-domain-edit",
    ),
    path(
        "business-domains/<slug:slug>/delete/",
        views.grouping_delete,
        DOMAIN,
        name="business-domain-delete",
    ),
]
