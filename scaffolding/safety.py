"""Checks on every name that reaches git or the file system, made before it gets there.

A repository name becomes a folder under the data directory, a path in a URL handed to
``git http-backend`` and an argument of git commands, so it must be a name as
``portal.names`` defines it: no option injection (``--upload-pack=...``), no path traversal
(``../``), no hidden folders, no Windows device names.
"""

import os
from pathlib import Path

from django.core.exceptions import ValidationError

from portal.names import name_problem


def check_repository_name(name: str) -> str:
    """Return ``name`` if it is safe as a repository, folder and git argument; else raise.
    The rule is the one every slug follows (``portal.names``), checked again at the disk."""
    problem = name_problem(name)
    if problem:
        raise ValidationError({"slug": problem})
    return name


def contained_path(root: Path, relative: str) -> Path:
    """``root / relative``, refusing anything that would leave ``root``."""
    root = Path(root).resolve()
    candidate = (root / relative).resolve()
    if candidate != root and root not in candidate.parents:
        raise ValidationError(f"{relative!r} leaves its folder.")
    return candidate


def check_tree(root: Path) -> list[str]:
    """Every file under ``root`` as a relative POSIX path, after checking that none is a
    link, a device or outside ``root``: what a rendered template may contain."""
    root = Path(root).resolve()
    files = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            if path.is_symlink():
                raise ValidationError(
                    f"The rendered project contains a link: {path.relative_to(root)}."
                )
            if name in {".git"}:
                raise ValidationError("The rendered project must not contain a .git folder.")
            contained_path(root, str(path.relative_to(root)))
        for name in filenames:
            path = Path(dirpath) / name
            if not path.is_file():
                raise ValidationError(f"Not a regular file: {path.relative_to(root)}.")
            files.append(path.relative_to(root).as_posix())
    return sorted(files)
