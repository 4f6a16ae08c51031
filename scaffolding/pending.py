"""What scaffolding has in flight for a person's home page (``portal.home.pending_work``)."""

from django.db.models import Q

from portal.home import Pending

from .models import ScaffoldRun


def scaffold_runs(user, teams) -> list[Pending]:
    """Runs not finished yet that the person asked for or that make a service for their team."""
    runs = ScaffoldRun.objects.filter(
        Q(requested_by=user) | Q(owner_team__in=teams), status__in=ScaffoldRun.IN_FLIGHT
    ).order_by("-created_at")[:20]
    return [
        Pending("Creating", run.slug, run.get_absolute_url(), run.status, run.created_at)
        for run in runs
    ]
