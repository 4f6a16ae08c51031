"""Catalog pages: lists and detail pages for services, APIs and data domains."""

from django.views.generic import DetailView, ListView

from .models import Api, DataDomain, Service


class ServiceList(ListView):
    extra_context = {"heading": "Services"}
    queryset = Service.objects.select_related("owner_team")
    paginate_by = 50


class ServiceDetail(DetailView):
    queryset = Service.objects.select_related("owner_team", "data_domain")


class ApiList(ListView):
    extra_context = {"heading": "APIs"}
    queryset = Api.objects.select_related("provider")
    paginate_by = 50


class ApiDetail(DetailView):
    queryset = Api.objects.select_related("provider")


class DomainList(ListView):
    extra_context = {"heading": "Data domains"}
    queryset = DataDomain.objects.select_related("owner_service")
    paginate_by = 50


class DomainDetail(DetailView):
    queryset = DataDomain.objects.select_related("owner_service")
