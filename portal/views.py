"""Portal-wide pages."""

from django.shortcuts import render

from catalog.models import Api, DataDomain, Service
from teams.models import Team


def overview(request):
    counts = {
        "services": Service.objects.count(),
        "teams": Team.objects.count(),
        "apis": Api.objects.count(),
        "domains": DataDomain.objects.count(),
    }
    return render(request, "portal/overview.html", {"counts": counts})
