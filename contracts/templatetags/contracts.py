"""What the catalog's pages show of contract governance, without the catalog's views
importing it: the API page's changes by version, the service page's waiting breaking
versions. A fixed number of queries each."""

from django import template
from django.db.models import Q

from ..models import BreakingRelease, ConsumerImpact, VersionDiff

register = template.Library()


@register.inclusion_tag("contracts/_api_changes.html")
def api_changes(api, versions):
    """Each version's change summary (from its stored diff) and the breaking versions still
    waiting for consumers."""
    diffs = {
        diff.version_id: diff
        for diff in VersionDiff.objects.filter(version__api=api).defer("changes", "problems")
    }
    waiting = (
        BreakingRelease.objects.filter(api=api, state=BreakingRelease.State.OPEN)
        .select_related("api", "version")
        .prefetch_related("impacts")
    )
    rows = [(version, diffs.get(version.pk)) for version in versions]
    return {"api": api, "rows": rows, "waiting": waiting, "versions": versions}


@register.inclusion_tag("contracts/_waiting_on_service.html")
def waiting_on(service):
    """Breaking versions of the APIs ``service`` consumes that wait on it (or whose old
    version line has a sunset it has not moved off yet), with their deadlines."""
    impacts = (
        ConsumerImpact.objects.filter(
            consumption__consumer=service, affected=True, acknowledged_at__isnull=True
        )
        .filter(Q(release__state=BreakingRelease.State.OPEN) | Q(release__sunset_on__isnull=False))
        .select_related("release__api", "release__version")
        .order_by("release__sunset_on", "release__api__slug")
    )
    return {"impacts": impacts, "service": service}
