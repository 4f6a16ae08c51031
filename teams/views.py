"""Team pages."""

from django.views.generic import DetailView, ListView

from .models import Team


class TeamList(ListView):
    extra_context = {"heading": "Teams"}
    queryset = Team.objects.all()
    paginate_by = 50


class TeamDetail(DetailView):
    queryset = Team.objects.all()
