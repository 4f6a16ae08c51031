"""The content-addressed artifact store and each artifact's provenance.

An artifact is a reproducible ``tar.gz``: the commit's files under ``app/`` and the wheels
of every run-time dependency under ``wheels/``, entries sorted, owners and times zeroed, so
the same commit with the same pins gives the same bytes, and so the same digest. It is
stored once at ``KEEL_DELIVERY_ARTIFACT_DIR/<sha256>/artifact.tar.gz`` beside its
``provenance.json``: the commit and repository, the builder, the time, and every installed
dependency's name, version and the sha256 of the wheel it came from (checked against the
hash pinned in ``requirements.txt``). The row (``Artifact``) holds the same provenance.
"""

import gzip
import hashlib
import json
import os
import platform
import shutil
import socket
import sys
import tarfile
import tempfile
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from packaging.utils import canonicalize_name, parse_wheel_filename

from .models import Artifact, PipelineRun

BUILDER = "keel-embedded-runner"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def pinned_hashes(requirements: Path) -> dict[str, set[str]]:
    """``{canonical name: {sha256, ...}}`` of a hash-pinned requirements file."""
    from .stages import pinned_lines

    text = " ".join(pinned_lines(requirements)).replace("\\", " ")
    pins, current = {}, None
    for word in text.split():
        if word.startswith("--hash=sha256:"):
            if current:
                pins[current].add(word.removeprefix("--hash=sha256:"))
        elif not word.startswith("-"):
            current = canonicalize_name(word.split("==")[0].split("[")[0])
            pins.setdefault(current, set())
    return pins


def dependencies(venv: Path, wheels: Path, requirements: Path) -> list[dict]:
    """Every distribution installed in the build's environment, with the wheel it came from
    and that wheel's sha256; a dependency without a pinned, matching hash is refused."""
    from .stages import StageFailed

    site = sorted(venv.glob("lib/python*/site-packages"))
    files = {}
    for wheel in wheels.glob("*.whl"):
        name, version, _, _ = parse_wheel_filename(wheel.name)
        files[(name, str(version))] = wheel
    pins = pinned_hashes(requirements)
    found = []
    for dist in metadata.distributions(path=[str(p) for p in site]):
        name = canonicalize_name(dist.metadata["Name"])
        wheel = files.get((name, dist.version))
        if wheel is None:
            raise StageFailed(f"{name} {dist.version} is installed but came from no pinned wheel.")
        digest = sha256_of(wheel)
        if digest not in pins.get(name, set()):
            raise StageFailed(f"{wheel.name}: sha256 {digest} is not pinned in requirements.txt.")
        found.append({"name": name, "version": dist.version, "file": wheel.name, "sha256": digest})
    return sorted(found, key=lambda d: d["name"])


def _add_tree(tar: tarfile.TarFile, folder: Path, prefix: str) -> None:
    """Add ``folder``'s regular files and folders, sorted, with nothing machine-specific."""
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            continue
        info = tar.gettarinfo(str(path), arcname=f"{prefix}/{path.relative_to(folder)}")
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mtime = 0
        executable = path.is_dir() or os.access(path, os.X_OK)
        info.mode = 0o755 if executable else 0o644
        if path.is_file():
            with open(path, "rb") as f:
                tar.addfile(info, f)
        else:
            tar.addfile(info)


def write_archive(src: Path, wheels: Path, destination: Path) -> None:
    with (
        open(destination, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        _add_tree(tar, src, "app")
        _add_tree(tar, wheels, "wheels")


def store(stage, source: Path) -> Artifact:
    """Package ``source`` (the commit's files) with the stage's wheels, store the bytes
    under their digest (once), and return the ``Artifact`` row (created by this run, or the
    one that already had them)."""
    run: PipelineRun = stage.run
    deps = dependencies(stage.venv, stage.wheels, stage.src / "requirements.txt")
    root = Path(settings.KEEL_DELIVERY_ARTIFACT_DIR)
    root.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=root, prefix=".incoming-", suffix=".tar.gz")
    os.close(handle)
    temporary = Path(temporary)
    try:
        write_archive(source, stage.wheels, temporary)
        digest, size = sha256_of(temporary), temporary.stat().st_size
        folder = root / digest
        folder.mkdir(exist_ok=True)
        final = folder / "artifact.tar.gz"
        if not final.exists():
            os.replace(temporary, final)  # atomic: readers see all of it or nothing
    finally:
        temporary.unlink(missing_ok=True)
    provenance = {
        "artifact": {"sha256": digest, "size": size, "file": "artifact.tar.gz"},
        "pipeline": run.pipeline.slug,
        "run": run.number,
        "source": {
            "repository": run.pipeline.repository_url,
            "commit": run.commit_sha,
            "ref": run.ref,
        },
        "builder": {
            "name": BUILDER,
            "host": socket.gethostname(),
            "python": platform.python_version(),
            "implementation": sys.implementation.name,
            "platform": platform.platform(),
        },
        "built_at": timezone.now().isoformat(),
        "dependencies": deps,
    }
    provenance_file = folder / "provenance.json"
    if not provenance_file.exists():
        _write_atomically(provenance_file, json.dumps(provenance, indent=2) + "\n")
    relative = str(final.relative_to(settings.DATA_DIR)) if final.is_relative_to(
        settings.DATA_DIR) else str(final)  # fmt: skip
    existing = Artifact.objects.filter(digest=digest).first()
    if existing is None:
        try:
            with transaction.atomic():
                existing = Artifact.objects.create(
                    digest=digest, path=relative, size=size, provenance=provenance,
                    created_by_run=run,
                )  # fmt: skip
        except IntegrityError:  # another run stored the same bytes a moment ago
            existing = Artifact.objects.get(digest=digest)
    PipelineRun.objects.filter(pk=run.pk).update(artifact=existing)
    return existing


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    with open(handle, "w") as f:
        f.write(text)
    os.replace(temporary, path)


def artifact_file(artifact: Artifact) -> Path:
    path = Path(artifact.path)
    return path if path.is_absolute() else Path(settings.DATA_DIR) / path


def unpack(artifact: Artifact) -> Path:
    """The artifact's files (``app/``, ``wheels/``), unpacked once beside the archive in
    ``<digest>/unpacked/``, after checking the archive still has its digest: what deploys is
    what was packaged. Unpacked into a temporary folder and renamed, so a reader never sees
    half of it; tar's ``data`` filter refuses links, devices and paths leaving the folder."""
    archive = artifact_file(artifact)
    target = archive.parent / "unpacked"
    if target.is_dir():
        return target
    if not archive.is_file():
        raise FileNotFoundError(f"The artifact sha256:{artifact.digest} is not stored here.")
    found = sha256_of(archive)
    if found != artifact.digest:
        raise ValueError(f"The stored artifact's sha256 is {found}, not {artifact.digest}.")
    temporary = Path(tempfile.mkdtemp(dir=archive.parent, prefix=".unpacking-"))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(temporary, filter="data")
        (temporary / "app").mkdir(exist_ok=True)
        (temporary / "wheels").mkdir(exist_ok=True)
        try:
            os.rename(temporary, target)
        except OSError:  # another worker unpacked it a moment ago
            if not target.is_dir():
                raise
    finally:
        if temporary.exists():
            shutil.rmtree(temporary, ignore_errors=True)
    return target
