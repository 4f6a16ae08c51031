"""Every write of catalog as code: registering locations and importing what they declare.
Pages, REST, GraphQL, the commands and the sync jobs call these (see ``catalog.actions`` for
the conventions)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal import permissions
from portal.audit import change_record, record_changes
from portal.models import ChangeRecord
from portal.writes import atomic_write, delete, locked, save_changes, save_new

from .applying import Apply
from .git_checkout import SourceError, keel_repository_slug, resolve_source
from .managed import changing_as
from .models import Entity, ImportProblem, ImportRun, Location

LOCATION_EDITABLE = {"name", "description", "target", "entry", "ref", "content", "remove_orphans"}


def create_location(*, actor, via: str, owner_team=None, **fields) -> Location:
    """Staff register locations for anything; a team's members register one for what their
    team owns."""
    with atomic_write():
        if owner_team is None:
            if not permissions.administers(actor):
                raise permissions.PermissionDenied(
                    "Only staff register a location without an owning team."
                )
            team = None
        else:
            team = locked(owner_team, actor=actor, action=permissions.CONTRIBUTE)
        location = Location(owner_team=team, created_by=actor, **fields)
        _check_source(location, actor=actor)
        return save_new(location, actor=actor, via=via)


def update_location(location: Location, *, actor, via: str, **changes) -> Location:
    """Change what a location reads or how; its type and owner stay. What it reads is
    checked as on creation (a changed path again by staff only)."""
    _require_may_change(actor, location)
    with atomic_write():
        current = _locked(location, actor=actor)
        updated = save_changes(current, changes, actor=actor, via=via, editable=LOCATION_EDITABLE)
        _check_source(updated, actor=actor, changed=set(changes))
        return updated


def delete_location(location: Location, *, actor, via: str) -> None:
    """Its runs go with it; its entities stay, as orphans without a location, each recorded:
    the catalog objects they became are not removed by forgetting where they were read."""
    _require_may_change(actor, location)
    with atomic_write():
        current = _locked(location, actor=actor)
        kept = list(Entity.objects.filter(location=current, orphaned_at__isnull=True))
        now = timezone.now()
        for row in kept:
            row.orphaned_at = now
        Entity.objects.bulk_update(kept, ["orphaned_at"], batch_size=1000)
        record_changes(
            [
                change_record(
                    actor=actor,
                    via=via,
                    action=ChangeRecord.Action.UPDATE,
                    obj=row,
                    before={"orphaned": False},
                    after={
                        "orphaned": True,
                        "location": current.slug,
                        "reason": "location deleted",
                    },
                )  # fmt: skip
                for row in kept
            ]
        )
        delete(current, actor=actor, via=via)


def start_import(location: Location, *, actor, via: str, trigger: str) -> ImportRun:
    """Have ``location`` read again on behalf of ``actor``, who must be allowed to change
    it: the queued run, which a worker reads once the caller commits (joining the one
    already waiting, if any). The one place every interface starts a run from; its page shows
    the run's progress."""
    _require_may_change(actor, location)
    from . import syncing  # syncing calls this module: imported when first needed

    run = syncing.request_sync(location, trigger=trigger, actor=actor)
    run.refresh_from_db()  # read already, when the task ran at once (eager Celery)
    return run


def may_import(user, location: Location) -> bool:
    """May ``user`` import, change or delete ``location``? (What ``_locked`` will decide.)"""
    if location.owner_team_id is None:
        return permissions.administers(user)
    return permissions.can(user, permissions.CHANGE, location)


def _require_may_change(actor, location: Location) -> None:
    """Refuse early, with a sentence (``_locked`` decides again on the locked row)."""
    if may_import(actor, location):
        return
    permissions.require_signed_in(actor)
    if location.owner_team_id is None:
        raise permissions.PermissionDenied(
            f"Only staff may change or import location {location.slug}, which no team owns."
        )
    permissions.require(actor, permissions.CHANGE, location)


def _check_source(location: Location, *, actor, changed=None) -> None:
    """What each type of location needs to be read, refused with a field error now rather
    than a failed run later. Only staff name paths on the server: a path can be anything the
    portal's process may read."""
    kind = location.type
    if kind == Location.Type.UPLOAD:  # empty is allowed: it declares nothing (all orphans)
        limit = settings.KEEL_CATALOG_MAX_FILE_BYTES
        if len(location.content.encode()) > limit:
            raise ValidationError(
                {"content": f"The file is larger than the limit of {limit} bytes."}
            )
    elif kind == Location.Type.PATH:
        moved = changed is None or {"target", "entry"} & changed
        if moved and not permissions.administers(actor):
            raise permissions.PermissionDenied("Only staff register a path on the server.")
        if not location.target.startswith("/"):
            raise ValidationError(
                {"target": "Give an absolute path on the server, e.g. /srv/catalog."}
            )
    elif kind == Location.Type.GIT:
        try:
            if keel_repository_slug(location.target) is None:  # Keel's own: checked when read
                resolve_source(location.target)
        except SourceError as error:
            raise ValidationError({"target": error.message}) from None
    elif not location.target.strip():
        raise ValidationError({"target": "Give the organisation or group to discover."})


def import_entities(*, actor, via: str, run: ImportRun, reading) -> ImportRun:
    """Write what ``reading`` (the location's entities and the problems met reading them)
    declares, in one transaction, and record the outcome on ``run``.

    Unchanged entities write nothing; new and changed ones are created or updated with their
    history; one claimed by another location is refused; one the location no longer declares
    becomes an orphan. Each refusal is a problem of the run, and stops nothing else.
    """
    problems = [
        ImportProblem(
            run=run,
            level=ImportProblem.Level.ERROR,
            source=p.source,
            document=p.document,
            line=p.line,
            ref=p.ref or "",
            message=p.message,
        )
        for p in reading.problems
    ]

    def report(level, entity, message):
        """A problem of ``entity``: one read now, or a stored row (an orphan)."""
        problems.append(
            ImportProblem(
                run=run,
                level=level,
                source=entity.source,
                document=entity.document,
                line=getattr(entity, "line", None),
                ref=str(entity.ref),
                message=message,
            )
        )

    # what a page polling the run shows while the write (one transaction) goes on
    run.read, run.files = len(reading.entities), len(reading.files_read)
    run.step = f"writing {run.read} entities"
    run.save(update_fields=["read", "files", "step", "commit"])
    with atomic_write(), changing_as(run.location):
        location = _locked(run.location, actor=actor)
        counts = Apply(
            actor=actor,
            via=via,
            location=location,
            entities=reading.entities,
            problems=reading.problems,
            report=report,
        ).run()
    for name in ("created", "updated", "unchanged", "orphaned", "removed"):
        setattr(run, name, counts.get(name, 0))
    run.refused = counts.get("refused", 0) + sum(
        1 for p in reading.problems if getattr(p, "ref", None)
    )
    run.status, run.finished_at, run.step = ImportRun.Status.SUCCEEDED, timezone.now(), ""
    run.save()
    ImportProblem.objects.bulk_create(problems, batch_size=1000)
    return run


def _locked(location: Location, *, actor) -> Location:
    """The location locked, and changeable by ``actor``; one without a team is staff's."""
    if location.owner_team_id is not None:
        return locked(location, actor=actor, action=permissions.CHANGE)
    copy = Location.objects.select_for_update().get(pk=location.pk)
    permissions.require(actor, permissions.CHANGE, copy)
    return copy


def fail_run(run: ImportRun, message: str) -> ImportRun:
    """The location could not be read, or the import was refused as a whole: nothing was
    changed."""
    run.status, run.message, run.finished_at = ImportRun.Status.FAILED, message, timezone.now()
    run.step = ""
    run.save()
    return run
