"""One read of a location, start to finish: fetch what it points at, read the entities, and
hand them to ``actions.import_entities``. A location that cannot be read fails its run and
changes nothing."""

import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from . import actions, hosted_sources
from .entities import read_entities
from .fetching import make_fetch
from .git_checkout import SourceError, SourceUnavailable, checkout
from .models import ImportRun, Location
from .places import Unreadable
from .trees import Reading, read_tree
from .yaml_loading import load_documents


def read(location: Location) -> tuple[Reading, str]:
    """The entities and problems of what ``location`` points at, and the commit read (git)."""
    if location.type == Location.Type.UPLOAD:
        documents, problems = load_documents(
            location.content,
            source=location.entry or "upload",
            max_bytes=settings.KEEL_CATALOG_MAX_FILE_BYTES,
        )
        entities, more = read_entities(documents)
        return Reading(entities=entities, problems=problems + more, files_read=[location.entry]), ""
    if location.type == Location.Type.PATH:
        path = Path(location.target)
        root, entry = (path.parent, path.name) if path.is_file() else (path, location.entry)
        return _tree(root, entry), ""
    if location.type == Location.Type.GIT:
        with tempfile.TemporaryDirectory(prefix="keel-location-") as folder:
            fetched = checkout(location.target, dest=Path(folder), ref=location.ref or None)
            return _tree(Path(folder), location.entry), fetched.commit_sha
    if location.type in (Location.Type.GITHUB, Location.Type.GITLAB):
        return hosted_sources.read(location, _tree), ""
    raise Unreadable(f"Locations of type {location.get_type_display()} are not read yet.")


def _tree(root: Path, entry: str) -> Reading:
    return read_tree(
        root,
        entry,
        fetch=make_fetch(settings.KEEL_CATALOG_FETCH_HOSTS),
        max_file_bytes=settings.KEEL_CATALOG_MAX_FILE_BYTES,
    )


def run(location: Location, *, actor, via: str, trigger: str) -> ImportRun:
    """Read ``location`` now and import it; the finished run (succeeded or failed)."""
    started = ImportRun.objects.create(
        location=location,
        trigger=trigger,
        started_by=actor if getattr(actor, "is_authenticated", False) else None,
        status=ImportRun.Status.RUNNING,
        started_at=timezone.now(),
        step="reading",
    )
    try:
        return execute(started, actor=actor, via=via)
    except SourceUnavailable as error:
        return actions.fail_run(started, str(error))


def execute(run: ImportRun, *, actor, via: str) -> ImportRun:
    """Read the location of ``run`` (already running) and import it. A source that may be
    readable later raises ``SourceUnavailable`` and leaves the run to the caller, which
    retries it (``descriptors.tasks``) or fails it."""
    try:
        reading, run.commit = read(run.location)
    except SourceUnavailable:
        raise
    except (Unreadable, SourceError) as error:
        return actions.fail_run(run, str(error))
    return actions.import_entities(actor=actor, via=via, run=run, reading=reading)
