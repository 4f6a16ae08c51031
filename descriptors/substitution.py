"""Placeholders in descriptors, ``{$text: ./api.yaml}`` and its kin, filled in from the files
(or allowed URLs) they name, as Backstage's ``PlaceholderProcessor`` does.

Backstage's rules: a mapping whose only key is ``$text``, ``$json``, ``$yaml`` or ``$openapi``
is replaced by what that key's value names, read relative to the descriptor's own location.
``$text`` gives the text, ``$json`` and ``$yaml`` the parsed data (exactly one YAML document),
``$openapi`` the document with its external ``$ref``s bundled in, written out as YAML (the
OpenAPI module's ``bundleFileWithRefs``: the first use of an external part is inlined, later
uses and cycles point at it with an internal ``$ref``; ``#/...`` refs of the root document are
left alone). A mapping with more keys, or another ``$`` key (JSON Schema's ``$ref``), is left
as it is.

Where Backstage fails the whole entity, a placeholder that cannot be filled (offline, host not
allowed, too big, missing, unparsable) is left out here with a Problem saying why, and the
entity is read without that value.
"""

from dataclasses import dataclass, field

import yaml

from .places import Place, Unreadable, place_of, read_text
from .problems import Problem
from .yaml_loading import DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES, load_value

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_REFERENCED_FILES = 100
_KEYS = ("text", "json", "yaml", "openapi")


class _Unresolved(Exception):
    pass


@dataclass
class Substitution:
    """A document's data with its placeholders filled in; ``unresolved`` names (dotted, from
    the document root) the values left out, and ``problems`` says why."""

    data: dict
    unresolved: frozenset = frozenset()
    problems: list = field(default_factory=list)


@dataclass
class _Context:
    place: Place
    fetch: object
    max_bytes: int
    max_depth: int
    max_nodes: int


def _read(context: _Context, base: Place, target, key: str):
    if not isinstance(target, str) or not target:
        raise _Unresolved(f"${key} expects a relative path or an absolute URL, not {target!r}")
    try:
        place = place_of(base, target)
        return place, read_text(place, fetch=context.fetch, max_bytes=context.max_bytes)
    except Unreadable as error:
        raise _Unresolved(f"${key} {target} could not be read: {error}") from None


def _parse(context: _Context, place: Place, text: str, key: str, target: str):
    try:
        return load_value(
            text,
            source=place.name,
            max_bytes=context.max_bytes,
            max_depth=context.max_depth,
            max_nodes=context.max_nodes,
            json_only=key == "json",
        )
    except ValueError as error:
        raise _Unresolved(
            f"${key} {target} is not valid {key.upper() if key != 'openapi' else 'YAML or JSON'}: {error}"
        ) from None


def _pointer(document, pointer: str, where: str):
    """RFC 6901: ``/a/b~1c/0`` inside ``document``."""
    if pointer and not pointer.startswith("/"):
        raise _Unresolved(f"$ref {where} is not a JSON pointer (#/...)")
    value = document
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            raise _Unresolved(f"$ref {where} points at nothing")
    return value


def _escape(token) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


class _Bundler:
    """Inlines external ``$ref``s of an OpenAPI document, each (file, pointer) once."""

    def __init__(self, context: _Context, root: Place, document):
        self.context = context
        self.root = root
        self.files: dict[Place, object] = {root: document}
        self.placed: dict[tuple, str] = {}  # (file, pointer) -> where it was inlined
        self.count = 0

    def load(self, place: Place):
        if place not in self.files:
            if len(self.files) >= MAX_REFERENCED_FILES:
                raise _Unresolved(f"$openapi refers to more than {MAX_REFERENCED_FILES} files")
            text = read_text(place, fetch=self.context.fetch, max_bytes=self.context.max_bytes)
            self.files[place] = _parse(self.context, place, text, "openapi", place.name)
        return self.files[place]

    def walk(self, value, here: Place, path: str, root: bool):
        self.count += 1
        if self.count > self.context.max_nodes:
            raise _Unresolved(f"$openapi bundles to more than {self.context.max_nodes} values")
        if isinstance(value, list):
            return [
                self.walk(item, here, f"{path}/{index}", root) for index, item in enumerate(value)
            ]
        if not isinstance(value, dict):
            return value
        ref = value.get("$ref")
        if isinstance(ref, str) and not (root and ref.startswith("#")):
            return self.inline(ref, here, path)
        return {
            key: self.walk(item, here, f"{path}/{_escape(key)}", root)
            for key, item in value.items()
        }

    def inline(self, ref: str, here: Place, path: str):
        target, _, pointer = ref.partition("#")
        try:
            place = place_of(here, target) if target else here
        except Unreadable as error:
            raise _Unresolved(f"$ref {ref} could not be read: {error}") from None
        if place == self.root:  # the root document is kept as it is: point into it
            return {"$ref": "#" + pointer}
        key = (place, pointer)
        if key in self.placed:
            return {"$ref": "#" + self.placed[key]}
        self.placed[key] = path
        try:
            document = self.load(place)
        except Unreadable as error:
            raise _Unresolved(f"$ref {ref} could not be read: {error}") from None
        return self.walk(_pointer(document, pointer, ref), place, path, False)


def _resolve(context: _Context, key: str, target):
    place, text = _read(context, context.place, target, key)
    if key == "text":
        return text
    if key in ("json", "yaml"):
        return _parse(context, place, text, key, target)
    document = _parse(context, place, text, key, target)
    try:
        bundled = _Bundler(context, place, document).walk(document, place, "", True)
        return yaml.safe_dump(bundled, sort_keys=False, allow_unicode=True)
    except RecursionError:  # a chain of files, each inlined into the one before
        raise _Unresolved(
            f"$openapi {target} nests too deeply once its $refs are bundled"
        ) from None


def _fill(value, path: str, context: _Context, unresolved: set, problems: list):
    """``value`` with its placeholders filled in; ``_Unresolved`` when ``value`` itself is a
    placeholder that cannot be."""
    if isinstance(value, list):
        filled = []
        for index, item in enumerate(value):
            try:
                filled.append(_fill(item, f"{path}.{index}", context, unresolved, problems))
            except _Unresolved as error:
                unresolved.add(f"{path}.{index}")
                problems.append(f"{path}.{index}: {error}")
        return filled
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (key,) = value
        if isinstance(key, str) and key[:1] == "$" and key[1:] in _KEYS:
            return _resolve(context, key[1:], value[key])
    if any(isinstance(key, str) and key[:1] == "$" for key in value):
        return value  # other $ keys (JSON Schema's $ref): not ours to touch
    filled = {}
    for key, item in value.items():
        where = f"{path}.{key}" if path else key
        try:
            filled[key] = _fill(item, where, context, unresolved, problems)
        except _Unresolved as error:
            unresolved.add(where)
            problems.append(f"{where}: {error}")
    return filled


def _has_placeholder(value) -> bool:
    if isinstance(value, dict):
        return any(
            (key[:1] == "$" and key[1:] in _KEYS) or _has_placeholder(item)
            for key, item in value.items()
        )
    if isinstance(value, list):
        return any(_has_placeholder(item) for item in value)
    return False


def substitute(
    document,
    place: Place,
    *,
    fetch=None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_nodes: int = DEFAULT_MAX_NODES,
    ref: str | None = None,
) -> Substitution:
    """``document`` (a ``yaml_loading.Document``) with its placeholders filled in from files
    relative to ``place`` (where the document was read) or URLs through ``fetch``; each read is
    at most ``max_bytes``. ``ref`` names the entity in the problems."""
    data = document.data
    if not _has_placeholder(data):
        return Substitution(data)
    context = _Context(place, fetch, max_bytes, max_depth, max_nodes)
    unresolved: set[str] = set()
    messages: list[str] = []
    try:
        filled = _fill(data, "", context, unresolved, messages)
    except _Unresolved as error:  # the whole document was one placeholder
        filled = data
        messages.append(str(error))
    problems = [
        Problem(
            document.source,
            document.number,
            document.line,
            ref,
            f"{message}; the entity is read without it",
        )
        for message in messages
    ]
    return Substitution(filled, frozenset(unresolved), problems)
