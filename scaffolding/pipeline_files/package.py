"""Package this service: an artifact with its run-time dependencies and their provenance.

Writes ``dist/<service>-<version>.tar.gz`` holding the application and the wheels of every
run-time dependency (downloaded with ``pip --require-hashes``, so only the pinned, hashed
versions), and ``dist/provenance.json``: the artifact's hash, the source revision, and each
dependency's name, version and sha256. Standard library only; written by Keel.
"""

import hashlib
import json
import os
import platform
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXCLUDED = {".git", ".github", ".venv", "build", "dist", "tests", "ci", "__pycache__"}


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_dependencies(wheels):
    wheels.mkdir(parents=True, exist_ok=True)
    requirements = ROOT / "requirements.txt"
    pinned = [
        line
        for line in requirements.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if pinned:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--require-hashes",
                "--no-deps",
                "--only-binary=:all:",
                "-r",
                str(requirements),
                "-d",
                str(wheels),
            ],
            check=True,
        )
    dependencies = []
    for wheel in sorted(wheels.glob("*.whl")):
        name, version = wheel.name.split("-")[:2]
        dependencies.append(
            {"name": name, "version": version, "file": wheel.name, "sha256": sha256(wheel)}
        )
    return dependencies


def main():
    meta = json.loads((ROOT / ".keel" / "service.json").read_text())
    service, version = meta["service"], meta["version"]
    build, dist = ROOT / "build", ROOT / "dist"
    dist.mkdir(exist_ok=True)
    dependencies = download_dependencies(build / "wheels")
    artifact = dist / f"{service}-{version}.tar.gz"
    with tarfile.open(artifact, "w:gz") as tar:
        for path in sorted(ROOT.iterdir()):
            if path.name not in EXCLUDED and not path.name.startswith("."):
                tar.add(path, arcname=f"{service}/{path.name}")
        tar.add(build / "wheels", arcname=f"{service}/wheels")
    provenance = {
        "artifact": {"file": artifact.name, "sha256": sha256(artifact)},
        "service": service,
        "version": version,
        "source": {
            "revision": os.environ.get("GITHUB_SHA") or os.environ.get("CI_COMMIT_SHA", ""),
            "repository": os.environ.get("GITHUB_REPOSITORY")
            or os.environ.get("CI_PROJECT_PATH", ""),
        },
        "builder": {"python": platform.python_version(), "platform": platform.platform()},
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "dependencies": dependencies,
    }
    (dist / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n")
    print(f"{artifact} with {len(dependencies)} dependencies; provenance in dist/provenance.json")


if __name__ == "__main__":
    main()
