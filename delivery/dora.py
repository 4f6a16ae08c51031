"""The DORA figures of production deliveries, from Keel's own Deployment rows, for a
service, a team or the whole organisation over the last ``days`` days.

- deployment frequency: production deployments that went live, per day of the window;
- lead time for changes: the run's commit time (``PipelineRun.committed_at``) to the
  deployment going live, median;
- change failure rate: of the production deployments attempted (live or failed; a refused one
  never happened), those that failed (deployment or smoke) or were rolled back;
- failed-deployment recovery time: a failed deployment to the next release live in the same
  environment, median; a failure not recovered yet counts in ``unrecovered``;
- what the bakes watched (``Operations``): the staging releases' requests, 5xx and 429 shares
  and p99 latency over the window's finished bakes, and how many bakes stopped a release.

One query reads the window's deployments and one its bakes, whatever their number.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from statistics import median

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog.models import Service
from portal.lookups import with_slug
from portal.permissions import restrict
from teams.models import Team

from .models import Deployment, StageRun
from .policy import PRODUCTION

WENT_LIVE = {Deployment.Status.LIVE, Deployment.Status.REPLACED, Deployment.Status.ROLLED_BACK}
FAILED = {Deployment.Status.FAILED, Deployment.Status.ROLLED_BACK}


@dataclass
class Day:
    date: date
    deployments: int = 0
    failed: int = 0


@dataclass
class Operations:
    """The window's bakes, from each bake stage's observed figures (``delivery.bake``)."""

    bakes: int = 0
    stopped: int = 0
    requests: int = 0
    errors: int = 0
    throttled: int = 0
    error_rate: float | None = None
    throttle_rate: float | None = None
    p99_ms_median: float | None = None
    p99_ms_max: float | None = None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Figures:
    days: int
    since: datetime
    until: datetime
    deployments: int = 0
    failed_deployments: int = 0
    deployment_frequency_per_day: float = 0.0
    lead_time_seconds: float | None = None
    lead_time_count: int = 0
    change_failure_rate: float | None = None
    recovery_time_seconds: float | None = None
    recovered: int = 0
    unrecovered: int = 0
    daily: list[Day] = field(default_factory=list)
    operations: Operations = field(default_factory=Operations)

    def as_dict(self) -> dict:
        return {
            "days": self.days,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "deployments": self.deployments,
            "failed_deployments": self.failed_deployments,
            "deployment_frequency_per_day": self.deployment_frequency_per_day,
            "lead_time_seconds": self.lead_time_seconds,
            "lead_time_count": self.lead_time_count,
            "change_failure_rate": self.change_failure_rate,
            "recovery_time_seconds": self.recovery_time_seconds,
            "recovered": self.recovered,
            "unrecovered": self.unrecovered,
            "daily": [
                {"date": d.date.isoformat(), "deployments": d.deployments, "failed": d.failed}
                for d in self.daily
            ],
            "operations": self.operations.as_dict(),
        }


def window(days) -> int:
    """``days`` as a whole number from 1 to ``KEEL_DORA_MAX_DAYS``, else a field error."""
    try:
        value = int(days)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= settings.KEEL_DORA_MAX_DAYS:
        raise ValidationError(
            {"days": f"A whole number of days from 1 to {settings.KEEL_DORA_MAX_DAYS}."}
        )
    return value


def _live_at(deployment) -> datetime:
    return deployment.finished_at or deployment.created_at


def figures(*, service=None, team=None, days: int = 30, now: datetime | None = None) -> Figures:
    """The figures of ``service``'s pipeline, of ``team``'s pipelines, or (neither) of all."""
    until = now or timezone.now()
    since = until - timedelta(days=days)
    rows = Deployment.objects.filter(environment__name=PRODUCTION, created_at__gte=since,
                                     created_at__lte=until)  # fmt: skip
    if service is not None:
        rows = rows.filter(environment__pipeline__service=service)
    if team is not None:
        rows = rows.filter(environment__pipeline__owner_team=team)
    rows = list(
        rows.exclude(status__in=[Deployment.Status.REFUSED, Deployment.Status.DEPLOYING])
        .select_related("run")
        .only(
            "id",
            "environment_id",
            "kind",
            "status",
            "previous_id",
            "created_at",
            "finished_at",
            "run__committed_at",
        )  # fmt: skip
        .order_by("created_at", "id")
    )
    result = Figures(days=days, since=since, until=until)
    rolled_back = {row.previous_id for row in rows if row.kind == Deployment.Kind.ROLLBACK}
    deploys = [row for row in rows if row.kind == Deployment.Kind.DEPLOY]
    failed = [row for row in deploys if row.status in FAILED or row.pk in rolled_back]
    live = [row for row in deploys if row.status in WENT_LIVE]
    result.deployments = len(live)
    result.failed_deployments = len(failed)
    result.deployment_frequency_per_day = round(len(live) / days, 4)
    if deploys:
        result.change_failure_rate = round(len(failed) / len(deploys), 4)
    leads = [(_live_at(row) - row.run.committed_at).total_seconds()
             for row in live if row.run and row.run.committed_at]  # fmt: skip
    if leads:
        result.lead_time_seconds, result.lead_time_count = median(leads), len(leads)
    recoveries = []
    for failure in failed:
        later = next(
            (row for row in rows if row.environment_id == failure.environment_id
             and row.created_at > failure.created_at and row.status in WENT_LIVE
             and row.pk not in rolled_back),
            None,
        )  # fmt: skip
        if later is None:
            result.unrecovered += 1
        else:
            recoveries.append((_live_at(later) - _live_at(failure)).total_seconds())
    if recoveries:
        result.recovery_time_seconds, result.recovered = median(recoveries), len(recoveries)
    first, last = since.astimezone(UTC).date(), until.astimezone(UTC).date()
    by_day = {first + timedelta(days=n): None for n in range((last - first).days + 1)}
    by_day = {day: Day(day) for day in by_day}
    failed_ids = {row.pk for row in failed}
    for row in deploys:
        day = by_day[row.created_at.astimezone(UTC).date()]
        day.deployments += row.status in WENT_LIVE
        day.failed += row.pk in failed_ids
    result.daily = list(by_day.values())
    result.operations = operations(service=service, team=team, since=since, until=until)
    return result


def operations(*, service, team, since: datetime, until: datetime) -> Operations:
    """What the bakes finished in the window observed, summed over them."""
    bakes = StageRun.objects.filter(
        name="bake", finished_at__gte=since, finished_at__lte=until,
        status__in=[StageRun.Status.SUCCEEDED, StageRun.Status.FAILED],
    )  # fmt: skip
    if service is not None:
        bakes = bakes.filter(run__pipeline__service=service)
    if team is not None:
        bakes = bakes.filter(run__pipeline__owner_team=team)
    found = Operations()
    p99s = []
    for status, result in bakes.values_list("status", "result"):
        observed = (result or {}).get("observed") if isinstance(result, dict) else None
        if not isinstance(observed, dict):
            continue  # a bake that ended before it watched anything
        found.bakes += 1
        found.stopped += status == StageRun.Status.FAILED
        for name in ("requests", "errors", "throttled"):
            value = observed.get(name)
            if isinstance(value, int | float):
                setattr(found, name, getattr(found, name) + int(value))
        if isinstance(observed.get("p99_ms"), int | float):
            p99s.append(observed["p99_ms"])
    if found.requests:
        found.error_rate = round(found.errors / found.requests, 4)
        found.throttle_rate = round(found.throttled / found.requests, 4)
    if p99s:
        found.p99_ms_median, found.p99_ms_max = median(p99s), max(p99s)
    return found


CSV_COLUMNS = ("date", "deployments", "failed")


def scope(*, service: str | None, team: str | None, user) -> dict:
    """The ``service`` / ``team`` keyword arguments of ``figures`` for slugs a request gave
    (at most one), as the user may see them; a field error for an unknown one."""
    if service and team:
        raise ValidationError({"service": "Ask for a service or a team, not both."})
    for name, model, slug in (("service", Service, service), ("team", Team, team)):
        if slug:
            found = with_slug(restrict(model.objects.all(), user), slug[:100]).first()
            if found is None:
                raise ValidationError({name: f"No {name} has the slug {slug[:80]!r}."})
            return {name: found}
    return {}
