"""The embedded target: each release runs as a supervised process on this machine.

- The artifact is unpacked once (``artifacts.unpack``) and given a virtual environment made
  from its own wheels (``<digest>/unpacked/venv``), so a release runs on exactly the
  dependencies it was packaged with, never on the portal's.
- A release is started with the definition's ``spec.commands.start`` (default
  ``python -m <package>``, the package named after the pipeline's slug as the templates
  name it) in ``app/``, on a free loopback port passed as ``PORT`` (and ``HOST``), through
  ``processes.spawn``: scrubbed environment, memory and process limits, its output in
  ``KEEL_DELIVERY_RELEASE_DIR/<deployment id>/output.log`` bounded by the file-size limit,
  its own process group.
- Start then stop: a new release gets a new port and the one it replaces keeps serving until
  the new one is healthy (no port is shared, so nothing has to stop first).
- ``details`` record pid, start time (so a recycled pid is never mistaken for the release),
  port, host and when it started (also in ``process.json`` beside its log); a release is
  supervised only on the host that runs it.
"""

import copy
import json
import resource
import shlex
import shutil
import socket
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .. import artifacts, processes
from . import DeployFailed, health

LOG_TAIL_BYTES = 2000
PROCESS_FILE = "process.json"


def release_folder(deployment) -> Path:
    return Path(settings.KEEL_DELIVERY_RELEASE_DIR) / str(deployment.pk)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def runtime(artifact) -> Path:
    """The unpacked artifact with ``venv/`` holding its wheels (made once per digest)."""
    from ..stages import pip

    root = artifacts.unpack(artifact)
    venv = root / "venv"
    if (venv / "bin" / "python").exists():
        return root
    building = Path(tempfile.mkdtemp(dir=root, prefix=".venv-"))
    env = processes.scrubbed_environment(building)
    try:
        steps = [[sys.executable, "-m", "venv", "--without-pip", str(building)]]
        wheels = sorted(str(w) for w in (root / "wheels").glob("*.whl"))
        if wheels:
            steps.append([*pip(), "--no-cache-dir", "--python", str(building / "bin" / "python"),
                          "install", "--no-index", "--no-deps", *wheels])  # fmt: skip
        for args in steps:
            outcome = processes.run(args, cwd=root, env=env)
            if not outcome.ok:
                raise DeployFailed(
                    f"Could not install the artifact's dependencies: {outcome.output[-500:]}"
                )
        try:
            building.rename(venv)
        except OSError:  # another worker made it a moment ago
            if not (venv / "bin" / "python").exists():
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return root


def start_command(pipeline, app: Path) -> list[str]:
    commands = ((pipeline.definition or {}).get("spec") or {}).get("commands") or {}
    if commands.get("start"):
        return shlex.split(str(commands["start"]))
    package = pipeline.slug.replace("-", "_")
    if not (app / package / "__main__.py").is_file():
        raise DeployFailed(
            f"No start command: the artifact has no {package}/__main__.py; set "
            "spec.commands.start in the pipeline definition."
        )
    return ["python", "-m", package]


def log_tail(details: dict) -> str:
    path = Path(details.get("log", ""))
    if not details.get("log") or not path.is_file():
        return ""
    with open(path, "rb") as f:
        f.seek(max(path.stat().st_size - LOG_TAIL_BYTES, 0))
        return f.read().decode(errors="replace").strip()


class Embedded:
    def __init__(self, environment):
        self.environment = environment

    def start(self, deployment, *, port: int | None = None, restarts: int = 0) -> dict:
        if deployment.artifact is None:
            raise DeployFailed(f"The artifact sha256:{deployment.artifact_digest} is not stored.")
        try:
            root = runtime(deployment.artifact)
        except (OSError, ValueError) as error:
            raise DeployFailed(f"Could not unpack the artifact: {error}") from error
        args = start_command(self.environment.pipeline, root / "app")
        folder = release_folder(deployment)
        folder.mkdir(parents=True, exist_ok=True)
        log = folder / "output.log"
        log.unlink(missing_ok=True)  # a restart starts a fresh (bounded) log
        port = port if port and port_is_free(port) else free_port()
        env = {
            **processes.scrubbed_environment(
                folder, path=f"{root / 'venv' / 'bin'}:{processes.SYSTEM_PATH}"
            ),
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "KEEL_ENVIRONMENT": self.environment.name,
        }
        limits = replace(
            processes.Limits.from_settings(),
            cpu_seconds=resource.RLIM_INFINITY,
            file_bytes=settings.KEEL_DELIVERY_RELEASE_LOG_BYTES,
        )
        try:
            pid = processes.spawn(args, cwd=root / "app", env=env, log_path=log, limits=limits)
        except OSError as error:
            raise DeployFailed(f"Could not start {shlex.join(args)}: {error.strerror}") from error
        details = {
            "url": f"http://127.0.0.1:{port}",
            "pid": pid,
            "start_ticks": processes.start_ticks(pid),
            "port": port,
            "host": socket.gethostname(),
            "started_at": timezone.now().isoformat(),
            "command": shlex.join(args),
            "log": str(log),
            "restarts": restarts,
        }
        # Beside the row: what an operator (or a test's clean-up) needs to find the process.
        (folder / PROCESS_FILE).write_text(json.dumps(details))
        return details

    def ready(self, deployment) -> None:
        details = deployment.details
        healthy, seen = health.wait_healthy(
            deployment.url, seconds=settings.KEEL_DELIVERY_HEALTH_SECONDS,
            running=lambda: processes.is_running(details["pid"], details.get("start_ticks")),
        )  # fmt: skip
        if not healthy:
            tail = log_tail(details)
            raise DeployFailed(
                f"Health check failed: {seen}." + (f"\nOutput:\n{tail}" if tail else "")
            )

    def local(self, deployment) -> bool:
        details = deployment.details or {}
        return bool(details.get("pid")) and details.get("host") == socket.gethostname()

    def alive(self, deployment) -> bool | None:
        if not self.local(deployment):
            return None
        details = deployment.details
        return processes.is_running(details["pid"], details.get("start_ticks"))

    def stop(self, deployment) -> None:
        if self.local(deployment):
            details = deployment.details
            processes.stop_group(details["pid"], details.get("start_ticks"))

    def restore(self, deployment) -> dict | None:
        """Start a former release again (on its old port when it is free) unless it runs."""
        if self.alive(deployment) is not False:
            return None
        old = deployment.details or {}
        details = self.start(deployment, port=old.get("port"), restarts=old.get("restarts", 0) + 1)
        started = copy.copy(deployment)  # the caller records the change on its own copy
        started.details, started.url = details, details["url"]
        try:
            self.ready(started)
        except DeployFailed:
            self.stop(started)
            raise
        return details
