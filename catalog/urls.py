from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("services/", views.ServiceList.as_view(), name="service-list"),
    path("services/<slug:slug>/", views.ServiceDetail.as_view(), name="service-detail"),
    path("apis/", views.ApiList.as_view(), name="api-list"),
    path("apis/<slug:slug>/", views.ApiDetail.as_view(), name="api-detail"),
    path("domains/", views.DomainList.as_view(), name="domain-list"),
    path("domains/<slug:slug>/", views.DomainDetail.as_view(), name="domain-detail"),
]
