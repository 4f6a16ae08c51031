"""A signed-in person's home page: their teams, the services those teams own, the work that
waits on them, and what people changed lately in what they own.

What waits on a person comes from the apps that know it (scaffold runs in flight, imports
running, pipeline runs, later contract acknowledgements): each registers a provider with
``pending_work.register`` in its ``AppConfig.ready``, so this module imports none of them.
The health of each service's latest pipeline run comes the same way, from
``latest_runs.register`` (delivery).
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from catalog.models import Api, Service
from teams.models import Team

from .models import ChangeRecord
from .pages import recent_changes

SYSTEM_USERNAME = "keel-system"  # portal.audit.system_actor: jobs, importers, the demo loader


@dataclass(frozen=True)
class Pending:
    """One thing in flight or waiting for the person: what, where to see it, its state."""

    kind: str
    label: str
    url: str
    status: str
    since: object  # a datetime


class _Providers:
    def __init__(self):
        self.providers = []

    def register(self, provider) -> None:
        if provider not in self.providers:
            self.providers.append(provider)


class _PendingWork(_Providers):
    """``provider(user, teams) -> list[Pending]``; ``teams`` is a queryset of their teams."""

    def __call__(self, user, teams) -> list[Pending]:
        found = [item for provider in self.providers for item in provider(user, teams)]
        return sorted(found, key=lambda item: item.since, reverse=True)


class _LatestRuns(_Providers):
    """``provider(service_ids) -> {service id: Pending}``: the latest run of each service's
    pipeline, one query whatever the number of services."""

    def __call__(self, service_ids) -> dict:
        found = {}
        for provider in self.providers:
            found.update(provider(service_ids))
        return found


pending_work = _PendingWork()
latest_runs = _LatestRuns()


def changes_to_owned(teams, limit: int = 15):
    """What people (not Keel's own jobs) changed lately in the teams, their services and
    their APIs, or in what hangs under those (versions, resources, dependencies)."""
    owned = {
        Team: teams.values("pk"),
        Service: Service.objects.filter(owner_team__in=teams).values("pk"),
        Api: Api.objects.filter(provider__owner_team__in=teams).values("pk"),
    }
    about = Q()
    for model, ids in owned.items():
        kind = ContentType.objects.get_for_model(model)
        about |= Q(content_type=kind, object_id__in=ids)
        about |= Q(parent_content_type=kind, parent_object_id__in=ids)
    records = (
        ChangeRecord.objects.filter(about, actor__isnull=False)
        .exclude(actor__username=SYSTEM_USERNAME)
        .order_by("-created_at", "-id")
    )
    return recent_changes(limit, records=records)


def home(user) -> dict:
    teams = Team.objects.filter(memberships__user=user)
    memberships = list(user.memberships.select_related("team").order_by("team__slug"))
    services = list(
        Service.objects.filter(owner_team__in=teams)
        .select_related("owner_team")
        .order_by("tier", "slug")
    )
    runs = latest_runs([service.pk for service in services]) if services else {}
    return {
        "memberships": memberships,
        "services": [(service, runs.get(service.pk)) for service in services],
        "pending": pending_work(user, teams),
        "recent": changes_to_owned(teams) if memberships else [],
    }
