"""Breaking versions waiting on a person's teams, for their home page (``portal.home``)."""

from portal.home import Pending

from .models import BreakingRelease, ConsumerImpact


def acknowledgements_waiting(user, teams) -> list[Pending]:
    """An open breaking version of an API one of the teams' services consumes, not yet
    acknowledged for that service."""
    impacts = (
        ConsumerImpact.objects.filter(
            consumption__consumer__owner_team__in=teams,
            release__state=BreakingRelease.State.OPEN,
            affected=True,
            acknowledged_at__isnull=True,
        )
        .select_related("release__api", "release__version")
        .order_by("-release__created_at")[:20]
    )
    return [
        Pending(
            "Acknowledge",
            f"{impact.release.api.slug} {impact.release.label} for {impact.consumer_slug}",
            impact.release.get_absolute_url(),
            "waiting",
            impact.release.created_at,
        )
        for impact in impacts
    ]
