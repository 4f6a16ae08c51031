"""One read of a location, start to finish: fetch what it points at, read the entities, and
hand them to ``actions.import_entities``. A location that cannot be read fails its run and
changes nothing."""

import gc
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from . import actions, hosted_sources
from .entities import KEEL_API_VERSION, read_entities
from .fetching import make_fetch
from .git_checkout import SourceError, SourceUnavailable, checkout
from .models import ImportRun, Location
from .places import Place, Unreadable, place_of, read_text
from .problems import Problem
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
    fetch = make_fetch(settings.KEEL_CATALOG_FETCH_HOSTS)
    reading = read_tree(
        root, entry, fetch=fetch, max_file_bytes=settings.KEEL_CATALOG_MAX_FILE_BYTES
    )
    inline_definitions(reading, root.resolve(), fetch=fetch)
    return reading


def inline_definitions(reading: Reading, root: Path, *, fetch) -> None:
    """Keel's own descriptor names each API's definition by its path in the repository
    (``scaffolding.pipelines.descriptor``): read it into the entity, relative to the
    descriptor's file and inside the root, as a ``$text`` placeholder would be. One that
    cannot be read is a problem, and the API is imported without a definition."""
    for entity in reading.entities:
        if entity.api_version != KEEL_API_VERSION:
            continue
        for api in entity.spec.get("providesApis") or []:
            path = api.get("definition") if isinstance(api, dict) else None
            if not isinstance(path, str) or "\n" in path or len(path) > 500:
                continue  # already text, or nothing
            try:
                place = place_of(Place(root=root, path=root / entity.source), path)
                api["definition"] = read_text(
                    place, fetch=fetch, max_bytes=settings.KEEL_SPEC_MAX_BYTES
                )
            except Unreadable as error:
                del api["definition"]
                reading.problems.append(
                    Problem(entity.source, entity.document, entity.line, str(entity.ref),
                            f"The definition of API {api.get('name')}: {error}")
                )  # fmt: skip


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
    retries it (``descriptors.tasks``) or fails it. Anything else ends the run: refused as a
    whole (permission, a conflicting write) it fails with the reason, and an unexpected error
    fails it before it is raised, so that no run is left running."""
    with _collection_paused():
        try:
            reading, run.commit = read(run.location)
        except SourceUnavailable:
            raise
        except (Unreadable, SourceError) as error:
            return actions.fail_run(run, str(error))
        try:
            return actions.import_entities(actor=actor, via=via, run=run, reading=reading)
        except PermissionDenied as error:  # refused as a whole: nothing written
            who = actor.get_username() if actor is not None else "nobody"
            return actions.fail_run(run, f"{error} (reading as {who}).")
        except ValidationError as error:  # a conflicting write, for one
            return actions.fail_run(run, " ".join(error.messages))
        except Exception:
            actions.fail_run(
                run, "The import failed unexpectedly and changed nothing; it has been logged."
            )
            raise


@contextmanager
def _collection_paused():
    """An import makes hundreds of thousands of objects that all live until it ends; Python's
    cycle collector would walk them again and again (a tenth of the CPU time of reading a
    10,000-entity file). Paused for the run, and run once after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect()
