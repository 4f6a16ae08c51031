"""What the importer has in flight for a person's home page (``portal.home.pending_work``)."""

from portal.home import Pending

from .models import ImportRun

IN_FLIGHT = (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING)


def import_runs(user, teams) -> list[Pending]:
    """Reads of their teams' locations that are queued or running."""
    runs = (
        ImportRun.objects.filter(location__owner_team__in=teams, status__in=IN_FLIGHT)
        .select_related("location")
        .order_by("-created_at")[:20]
    )
    return [
        Pending("Import", run.location.name, run.get_absolute_url(), run.status, run.created_at)
        for run in runs
    ]
