"""Where descriptors and the files they name are read from: a file inside a root folder (a
checked-out repository, a server path) or a URL, and nowhere else.

A relative target is taken against the folder of the file that names it (Backstage resolves
Location targets and placeholders against their own location). It must stay inside the root
as written (no ``../../``, no absolute path elsewhere) and once symbolic links are resolved, so
a link inside the repository cannot lead to ``/etc`` either. The file read is the resolved one.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from .fetching import FetchError

_ABSOLUTE_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://")


class Unreadable(Exception):
    """A target that may not or cannot be read, with the reason."""


@dataclass(frozen=True, slots=True)
class Place:
    """A file inside ``root`` (``path`` resolved), or a ``url``."""

    root: Path | None = None
    path: Path | None = None
    url: str | None = None

    @property
    def name(self) -> str:
        """How reports name it: the URL, or the path relative to the root."""
        return self.url or self.path.relative_to(self.root).as_posix()

    @property
    def folder(self) -> Path:
        return self.path.parent


def is_url(target: str) -> bool:
    return bool(_ABSOLUTE_URL.match(target))


def inside(root: Path, folder: Path, target: str) -> Path:
    """``target`` taken against ``folder``, resolved, refused unless it stays inside ``root``
    (itself resolved)."""
    if "\x00" in target:
        raise Unreadable(f'"{target}" is not a path')
    written = Path(os.path.normpath(folder / target))
    if not written.is_relative_to(root):
        raise Unreadable(f'"{target}" is outside the repository; targets must stay inside it')
    real = written.resolve()
    if not real.is_relative_to(root):
        raise Unreadable(f'"{target}" is a symbolic link that leads out of the repository')
    return real


def entry_place(root: Path, entry: str) -> Place:
    """The first file of a reading, named relative to the root (or as a URL)."""
    if is_url(entry):
        return Place(url=entry)
    root = root.resolve()
    return Place(root, inside(root, root, entry))


def place_of(base: Place, target: str) -> Place:
    """Where ``target``, named in the file at ``base``, is."""
    if is_url(target):
        return Place(url=target)
    if base.url:
        return Place(url=urljoin(base.url, target))
    return Place(base.root, inside(base.root, base.folder, target))


def read_place(place: Place, *, fetch, max_bytes: int) -> bytes:
    """The bytes at ``place``, at most ``max_bytes``; URLs only through ``fetch``."""
    if place.url:
        if fetch is None:
            raise Unreadable(
                f"{place.url} is a URL, and this reading fetches nothing (no hosts are allowed)"
            )
        try:
            data = fetch(place.url)
        except FetchError as error:
            raise Unreadable(str(error)) from None
    else:
        try:
            with open(place.path, "rb") as file:
                data = file.read(max_bytes + 1)
        except FileNotFoundError:
            raise Unreadable(f"{place.name} does not exist") from None
        except IsADirectoryError:
            raise Unreadable(f"{place.name} is a folder, not a file") from None
        except OSError as error:
            raise Unreadable(f"{place.name} could not be read: {error.strerror}") from None
    if len(data) > max_bytes:
        raise Unreadable(f"{place.name} is more than the limit of {max_bytes} bytes")
    return data


def read_text(place: Place, *, fetch, max_bytes: int) -> str:
    data = read_place(place, fetch=fetch, max_bytes=max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Unreadable(f"{place.name} is not UTF-8 text (byte {error.start})") from None
