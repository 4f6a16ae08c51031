"""A tree of descriptor files read from a root folder: the entry file, then every file its
``kind: Location`` entities name, and theirs, breadth first.

Backstage's Location rules: ``spec.target`` and ``spec.targets`` are taken relative to the
file the Location is in, with the Location's ``spec.type`` (``file`` or ``url``; left out, the
type of the file it is in); a ``file`` target may be a glob (``./**/catalog-info.yaml``). Here
every file target must stay inside the root (``places``), URLs go through ``fetch`` (allowed
hosts only), and a file named twice is read once: a second explicit target (a loop, or two
Locations for one file) is reported, a glob matching a file already read (the root's own
``catalog-info.yaml``, typically) is not. Files and bytes in all are bounded. Location entities
are entities too, and an entity defined in two files is refused in the second.
"""

import os
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .entities import Entity, read_entities
from .places import Place, Unreadable, entry_place, inside, is_url, place_of, read_text
from .problems import Problem
from .substitution import DEFAULT_MAX_BYTES as DEFAULT_MAX_PLACEHOLDER_BYTES
from .substitution import substitute
from .yaml_loading import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_DOCUMENTS,
    DEFAULT_MAX_NODES,
    Document,
    load_documents,
)

DEFAULT_MAX_FILES = 1000
DEFAULT_MAX_TOTAL_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_GLOB_ENTRIES = 100_000
_WILDCARDS = frozenset("*?[")
_PLACEHOLDER = re.compile(r"\$(?:text|json|yaml|openapi)\b")  # files without one skip the walk


@dataclass
class Reading:
    """What a tree gave: its valid entities, every problem, and the files read (as named in
    the problems: relative to the root, or URLs)."""

    entities: list[Entity] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_read: list[str] = field(default_factory=list)


def _glob_pattern(parts) -> re.Pattern:
    pattern = ""
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            pattern += ".*" if last else "(?:[^/]+/)*"
            continue
        pattern += "".join(
            "[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in part
        )
        pattern += "" if last else "/"
    return re.compile(pattern)


def _glob(root: Path, folder: Path, target: str, max_entries: int) -> list[Path]:
    """The files inside ``root`` matching ``target`` (relative to ``folder``), sorted; the
    walk does not follow symbolic links to folders and skips ``.git``."""
    parts = PurePosixPath(target).parts
    fixed = 0
    while fixed < len(parts) and not _WILDCARDS & set(parts[fixed]):
        fixed += 1
    base = inside(root, folder, "/".join(parts[:fixed]) or ".")
    pattern = _glob_pattern(parts[fixed:])
    matches, seen = [], 0
    for current, folders, files in os.walk(base):
        folders[:] = sorted(name for name in folders if name != ".git")
        seen += len(folders) + len(files)
        if seen > max_entries:
            raise Unreadable(
                f'the pattern "{target}" looks through more than {max_entries} files and folders'
            )
        relative = Path(current).relative_to(base).as_posix()
        prefix = "" if relative == "." else relative + "/"
        matches.extend(Path(current, name) for name in files if pattern.fullmatch(prefix + name))
    return sorted(matches)


class _TreeReading:
    def __init__(self, fetch, limits):
        self.fetch = fetch
        self.limits = limits
        self.result = Reading()
        self.known: dict = {}
        self.read: set = set()
        self.total = 0
        self.queue: deque = deque()  # (place, the Location that named it or None, explicit)

    def problem(self, origin, source: str, message: str):
        if origin is None:
            self.result.problems.append(Problem(source, None, None, None, message))
        else:
            self.result.problems.append(
                Problem(origin.source, origin.document, origin.line, str(origin.ref), message)
            )

    def run(self, root: Path, entry: str):
        try:
            self.queue.append((entry_place(root, entry), None, True))
        except Unreadable as error:
            self.problem(None, entry, str(error))
        while self.queue:
            place, origin, explicit = self.queue.popleft()
            self.visit(place, origin, explicit)
        return self.result

    def visit(self, place: Place, origin, explicit: bool):
        limits = self.limits
        if place in self.read:
            if explicit:
                self.problem(
                    origin,
                    place.name,
                    f"{place.name} was already read (a location loop, or a second location for it); it is not read again",
                )
            return
        if len(self.read) >= limits["max_files"]:
            self.problem(
                origin,
                place.name,
                f"more than {limits['max_files']} files; {place.name} is not read",
            )
            return
        self.read.add(place)
        try:
            text = read_text(place, fetch=self.fetch, max_bytes=limits["max_file_bytes"])
        except Unreadable as error:
            self.problem(origin, place.name, str(error))
            return
        self.total += len(text.encode("utf-8"))
        if self.total > limits["max_total_bytes"]:
            self.problem(
                origin,
                place.name,
                f"more than {limits['max_total_bytes']} bytes in all; {place.name} is not read",
            )
            return
        self.result.files_read.append(place.name)
        documents, problems = load_documents(
            text,
            source=place.name,
            max_bytes=limits["max_file_bytes"],
            max_documents=limits["max_documents"],
            max_depth=limits["max_depth"],
            max_nodes=limits["max_nodes"],
        )
        self.result.problems.extend(problems)
        if _PLACEHOLDER.search(text):
            documents = [self.substituted(document, place) for document in documents]
        entities, problems = read_entities(documents, known=self.known)
        self.result.problems.extend(problems)
        self.result.entities.extend(entities)
        for entity in entities:
            if entity.kind == "Location":
                self.follow(entity, place)

    def substituted(self, document: Document, place: Place) -> Document:
        metadata = document.data.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        name, namespace = metadata.get("name"), metadata.get("namespace", "default")
        ref = (
            f"{document.data.get('kind')}:{namespace}/{name}".lower()
            if isinstance(name, str)
            else None
        )
        substitution = substitute(
            document,
            place,
            fetch=self.fetch,
            max_bytes=self.limits["max_placeholder_bytes"],
            max_depth=self.limits["max_depth"],
            max_nodes=self.limits["max_nodes"],
            ref=ref,
        )
        if substitution.data is document.data:
            return document
        self.result.problems.extend(substitution.problems)
        return Document(
            document.source,
            document.number,
            document.line,
            substitution.data,
            substitution.unresolved,
        )

    def follow(self, location: Entity, place: Place):
        spec = location.spec
        kind = spec.get("type") or ("url" if place.url else "file")
        if kind not in ("file", "url"):
            self.problem(
                location,
                place.name,
                f'the location type "{kind}" is not read here; use file or url',
            )
            return
        targets = ([spec["target"]] if spec.get("target") else []) + list(spec.get("targets") or [])
        for target in targets:
            try:
                if (
                    kind == "file"
                    and not place.url
                    and not is_url(target)
                    and _WILDCARDS & set(target)
                ):
                    for path in _glob(
                        place.root, place.folder, target, self.limits["max_glob_entries"]
                    ):
                        try:
                            found = Place(place.root, inside(place.root, place.folder, str(path)))
                        except Unreadable as error:
                            self.problem(location, place.name, str(error))
                            continue
                        self.queue.append((found, location, False))
                    continue
                self.queue.append((place_of(place, target), location, True))
            except Unreadable as error:
                self.problem(location, place.name, str(error))


def read_tree(
    root: Path,
    entry: str,
    *,
    fetch=None,
    max_files: int = DEFAULT_MAX_FILES,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
    max_file_bytes: int = DEFAULT_MAX_BYTES,
    max_documents: int = DEFAULT_MAX_DOCUMENTS,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_nodes: int = DEFAULT_MAX_NODES,
    max_placeholder_bytes: int = DEFAULT_MAX_PLACEHOLDER_BYTES,
    max_glob_entries: int = DEFAULT_MAX_GLOB_ENTRIES,
) -> Reading:
    """Read ``entry`` (a path relative to ``root``, or a URL) and every file its Locations
    name, never leaving ``root``; URLs (Location targets, placeholders) only through
    ``fetch`` (``fetching.make_fetch``), none when it is ``None``."""
    limits = {
        "max_files": max_files,
        "max_total_bytes": max_total_bytes,
        "max_file_bytes": max_file_bytes,
        "max_documents": max_documents,
        "max_depth": max_depth,
        "max_nodes": max_nodes,
        "max_placeholder_bytes": max_placeholder_bytes,
        "max_glob_entries": max_glob_entries,
    }
    return _TreeReading(fetch, limits).run(Path(root), entry)
