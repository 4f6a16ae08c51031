"""Keeping locations in sync: when a location is read, by whom, and what happens to a read
whose worker died.

- One read of a location at a time. A request while a read runs (or waits) is coalesced: it
  joins the one queued run, so a burst of pushes gives one follow-up read, not one each.
  Claims take the location's row lock, so two workers never start reads of one location.
- A run is held through a lease (``ImportRun.lease_expires_at``): by the message sent for it,
  by the worker reading it (renewed by a heartbeat), or by a retry waiting to read it again.
  ``tick`` fails a running run whose lease ran out (its worker died; the import is one
  transaction, so nothing is half-written), sends again a queued run whose message was lost,
  and requests a read of every location not read for ``KEEL_CATALOG_SYNC_SECONDS``.
- ``tick`` runs on every worker's own timer (``descriptors.worker``) and on beat where beat
  runs. What is due is decided from the runs in the database, so any number of workers and
  beats give one scheduled read per location and interval.

Settings: ``KEEL_CATALOG_SYNC_SECONDS`` (default 1800; 0 turns the schedule off),
``KEEL_CATALOG_SYNC_LEASE_SECONDS`` (30) and ``..._HEARTBEAT_SECONDS`` (a third of it),
``KEEL_CATALOG_SYNC_RETRIES`` (5) with backoff from ``..._RETRY_BASE_SECONDS`` (2) to
``..._RETRY_MAX_SECONDS`` (300), and ``KEEL_CATALOG_SYNC_TIME_LIMIT`` (900).
"""

from datetime import timedelta

from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from portal.leases import renewing
from portal.models import Interface

from . import actions, importing
from .git_checkout import keel_repository_slug
from .models import ImportRun, Location

# Uploads hold their text in the row: reading them again finds nothing new.
SCHEDULED_TYPES = (
    Location.Type.PATH,
    Location.Type.GIT,
    Location.Type.GITHUB,
    Location.Type.GITLAB,
)
RETRYING = "waiting to try again"  # the step of a queued run whose retry has its message


def lease_until(seconds: float | None = None):
    return timezone.now() + timedelta(
        seconds=settings.KEEL_CATALOG_SYNC_LEASE_SECONDS if seconds is None else seconds
    )


def request_sync(location: Location, *, trigger: str, actor=None) -> ImportRun:
    """Ask for a read of ``location``: the queued run that will do it (a new one, or the one
    already waiting, which this request joins). The task is sent when the caller commits."""
    run, new = queue_run(location.pk, trigger=trigger, actor=actor)
    if new:
        transaction.on_commit(lambda: send(run))
    return run


def queue_run(location_id: int, *, trigger: str, actor=None) -> tuple[ImportRun, bool] | None:
    """The location's queued run and whether it is new; None when the location is gone."""
    with transaction.atomic():
        location = Location.objects.select_for_update().filter(pk=location_id).first()
        if location is None:
            return None
        waiting = location.runs.filter(status=ImportRun.Status.QUEUED).order_by("id").first()
        if waiting is not None:
            return waiting, False
        run = ImportRun.objects.create(
            location=location,
            trigger=trigger,
            started_by=actor if getattr(actor, "is_authenticated", False) else None,
            lease_expires_at=lease_until(),
        )
        return run, True


def send(run: ImportRun) -> None:
    from portal.tasks import send

    from .tasks import sync_location

    send(sync_location, run.location_id, run.trigger, run.pk)


def claim(run_id: int) -> ImportRun | None:
    """Start the queued run ``run_id`` on this worker, or None: it is finished, held by a
    worker, or another read of its location runs (whose end sends it again)."""
    location_id = ImportRun.objects.filter(pk=run_id).values_list("location_id", flat=True).first()
    if location_id is None:
        return None
    with transaction.atomic():
        Location.objects.select_for_update().filter(pk=location_id).first()
        run = ImportRun.objects.select_related("location").filter(pk=run_id).first()
        if run is None or run.status != ImportRun.Status.QUEUED:
            return None
        if run.location.runs.filter(status=ImportRun.Status.RUNNING).exists():
            return None
        run.status, run.started_at, run.step = ImportRun.Status.RUNNING, timezone.now(), "reading"
        run.lease_expires_at, run.message = lease_until(), ""
        run.save(update_fields=["status", "started_at", "step", "lease_expires_at", "message"])
    return run


def heartbeat(run: ImportRun):
    """Renew the run's lease while the block runs (a long read keeps its run)."""
    return renewing(
        lambda: ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.RUNNING).update(
            lease_expires_at=lease_until()
        ),
        every=settings.KEEL_CATALOG_SYNC_HEARTBEAT_SECONDS,
        name=f"import-heartbeat-{run.pk}",
    )


def execute(run: ImportRun) -> ImportRun:
    """Read and import a claimed run as the person who asked for it, or for a scheduled or
    pushed read as the location's creator, whose permissions are checked again now."""
    actor = run.started_by or run.location.created_by
    if actor is None:
        return actions.fail_run(
            run,
            "The account that registered this location no longer exists, so nobody's "
            "permissions cover a scheduled read; register the location again.",
        )
    return importing.execute(run, actor=actor, via=Interface.IMPORT)


def release_for_retry(run: ImportRun, error, retries: int) -> float | None:
    """Put the run back in the queue for retry number ``retries + 1`` and return the
    countdown (the host's ``retry_after`` when it gave one, else exponential backoff with
    jitter); None after failing the run when the retries are used up."""
    if retries >= settings.KEEL_CATALOG_SYNC_RETRIES:
        actions.fail_run(
            run, f"{error} Gave up after {retries + 1} tries; the next sync tries again."
        )
        return None
    if error.retry_after is not None:
        countdown = float(error.retry_after)
    else:
        countdown = max(
            get_exponential_backoff_interval(
                factor=settings.KEEL_CATALOG_SYNC_RETRY_BASE_SECONDS,
                retries=retries,
                maximum=settings.KEEL_CATALOG_SYNC_RETRY_MAX_SECONDS,
                full_jitter=True,
            ),
            1,
        )
    run.status, run.step = ImportRun.Status.QUEUED, RETRYING
    run.message = f"{error} Trying again in {countdown:g} s."
    run.lease_expires_at = lease_until(countdown + settings.KEEL_CATALOG_SYNC_LEASE_SECONDS)
    run.save(update_fields=["status", "step", "message", "lease_expires_at"])
    return countdown


def send_follow_up(location_id: int) -> ImportRun | None:
    """After a read ends: send the run that waited for it, if any."""
    with transaction.atomic():
        location = Location.objects.select_for_update().filter(pk=location_id).first()
        if location is None or location.runs.filter(status=ImportRun.Status.RUNNING).exists():
            return None
        waiting = location.runs.filter(status=ImportRun.Status.QUEUED).first()
        if waiting is not None and waiting.step != RETRYING:  # a retry has its own message
            transaction.on_commit(lambda: send(waiting))
        return waiting


def tick(now=None) -> dict:
    """Fail stalled runs, send forgotten ones again, and request the reads that are due."""
    now = now or timezone.now()
    return {"failed": reap(now), "resent": resend_forgotten(now), "requested": request_due(now)}


def reap(now) -> list[int]:
    """Fail the running runs whose worker died: their lease ran out, or (a read started in
    a web request or command, which holds no lease) they outlived the time limit."""
    limit = now - timedelta(seconds=settings.KEEL_CATALOG_SYNC_TIME_LIMIT)
    stalled = ImportRun.objects.filter(status=ImportRun.Status.RUNNING).filter(
        Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True, started_at__lt=limit)
    )
    failed = []
    for run in stalled.select_related("location"):
        with transaction.atomic():
            current = ImportRun.objects.select_for_update().get(pk=run.pk)
            if current.status != ImportRun.Status.RUNNING or (
                current.lease_expires_at and current.lease_expires_at >= now
            ):
                continue
            actions.fail_run(
                current,
                "The process reading this location stopped before it finished (a worker was "
                "killed or restarted); the next sync reads it again.",
            )
        failed.append(run.pk)
        send_follow_up(run.location_id)
    return failed


def resend_forgotten(now) -> list[int]:
    """Queued runs whose message was lost (their lease ran out, no read of their location
    runs): sent again, and held for one more lease."""
    running = ImportRun.objects.filter(
        location=OuterRef("location"), status=ImportRun.Status.RUNNING
    )
    forgotten = ImportRun.objects.filter(
        status=ImportRun.Status.QUEUED, lease_expires_at__lt=now
    ).exclude(Exists(running))
    resent = []
    for run in forgotten:
        held = ImportRun.objects.filter(
            pk=run.pk, status=ImportRun.Status.QUEUED, lease_expires_at=run.lease_expires_at
        ).update(lease_expires_at=lease_until())
        if held:
            send(run)
            resent.append(run.pk)
    return resent


def request_due(now) -> list[int]:
    """Request a scheduled read of every location not read for the sync interval."""
    interval = settings.KEEL_CATALOG_SYNC_SECONDS
    if interval <= 0:
        return []
    due = (
        Location.objects.filter(type__in=SCHEDULED_TYPES)
        .annotate(last=Max("runs__created_at"))
        .filter(Q(last__isnull=True) | Q(last__lt=now - timedelta(seconds=interval)))
    )
    return [request_sync(location, trigger=ImportRun.Trigger.SCHEDULE).pk for location in due]


def read_pushed_repository(sender, slug: str, ref: str, commit: str, **kwargs) -> list[ImportRun]:
    """``scaffolding.signals.repository_pushed``: request a read of every git location whose
    target is that Keel-hosted repository (``keel:<slug>`` or its address) and that reads
    the pushed branch (its default, ``main``, unless the location names another ref)."""
    candidates = Location.objects.filter(type=Location.Type.GIT).filter(
        Q(target=f"keel:{slug}") | Q(target__endswith=f"/git/{slug}.git")
    )
    branch = ref.removeprefix("refs/heads/")
    return [
        request_sync(location, trigger=ImportRun.Trigger.PUSH)
        for location in candidates
        if keel_repository_slug(location.target) == slug and location.ref in ("", branch, ref)
    ]
