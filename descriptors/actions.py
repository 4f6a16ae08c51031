"""Every write of catalog as code: registering locations and importing what they declare.
Pages, REST, GraphQL, the commands and the sync jobs call these (see ``catalog.actions`` for
the conventions)."""

from django.utils import timezone

from portal import permissions
from portal.writes import atomic_write, locked, save_new

from .applying import Apply
from .managed import changing_as
from .models import ImportProblem, ImportRun, Location


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
        return save_new(Location(owner_team=team, created_by=actor, **fields), actor=actor, via=via)


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
