"""The command target: a configured command (``spec.environments.<name>.command``) hands the
release to another system (a script calling Argo CD, kubectl, a cloud CLI).

It runs without a shell in the unpacked artifact's ``app/`` (so a repository's own
``ci/deploy.py`` can be the command), with the artifact's virtual environment first on
``PATH``, through ``delivery.processes`` (scrubbed environment, limits, time limit), and is
told what to deploy by ``DEPLOY_*`` variables: ``DEPLOY_ARTIFACT`` (the archive's path),
``DEPLOY_ARTIFACT_DIR`` (its unpacked files), ``DEPLOY_DIGEST``, ``DEPLOY_ENVIRONMENT``,
``DEPLOY_COMMIT``, ``DEPLOY_VERSION``, ``DEPLOY_PIPELINE`` and ``DEPLOY_KIND`` (deploy or
rollback). Exit 0 means deployed; when the last line of its output is an http(s) URL, that
is where the release serves and its health is checked there. Rolling back runs the command
again with the former release's artifact; nothing of Keel's runs to stop.
"""

import copy
import shlex

from django.conf import settings

from .. import artifacts, processes
from . import DeployFailed, health
from .embedded import release_folder, runtime

OUTPUT_TAIL = 2000


class Command:
    def __init__(self, environment):
        self.environment = environment

    def start(self, deployment, *, kind: str | None = None) -> dict:
        command = str((self.environment.config or {}).get("command") or "").strip()
        if not command:
            raise DeployFailed(
                f"spec.environments.{self.environment.name}.command is not set: the command "
                "target has nothing to run."
            )
        if deployment.artifact is None:
            raise DeployFailed(f"The artifact sha256:{deployment.artifact_digest} is not stored.")
        try:
            args = shlex.split(command)
            root = runtime(deployment.artifact)
        except (OSError, ValueError) as error:
            raise DeployFailed(f"Could not prepare the command {command!r}: {error}") from error
        folder = release_folder(deployment)
        folder.mkdir(parents=True, exist_ok=True)
        env = {
            **processes.scrubbed_environment(
                folder, path=f"{root / 'venv' / 'bin'}:{processes.SYSTEM_PATH}"
            ),
            "DEPLOY_ARTIFACT": str(artifacts.artifact_file(deployment.artifact)),
            "DEPLOY_ARTIFACT_DIR": str(root),
            "DEPLOY_DIGEST": deployment.artifact_digest,
            "DEPLOY_ENVIRONMENT": self.environment.name,
            "DEPLOY_COMMIT": deployment.commit_sha,
            "DEPLOY_VERSION": deployment.version,
            "DEPLOY_PIPELINE": self.environment.pipeline.slug,
            "DEPLOY_KIND": kind or deployment.kind,
        }
        try:
            outcome = processes.run(args, cwd=root / "app", env=env)
        except OSError as error:
            raise DeployFailed(f"Could not start {args[0]}: {error.strerror}.") from error
        output = outcome.output.strip()
        if not outcome.ok:
            status = "timed out" if outcome.timed_out else f"exit {outcome.returncode}"
            raise DeployFailed(f"The deploy command failed ({status}):\n{output[-OUTPUT_TAIL:]}")
        last = output.splitlines()[-1].strip() if output else ""
        url = last if last.startswith(("http://", "https://")) and len(last) <= 500 else ""
        return {"url": url, "command": command, "seconds": outcome.seconds,
                "output": output[-OUTPUT_TAIL:]}  # fmt: skip

    def ready(self, deployment) -> None:
        if not deployment.url:
            return  # the command's exit status is all there is to check
        healthy, seen = health.wait_healthy(
            deployment.url, seconds=settings.KEEL_DELIVERY_HEALTH_SECONDS
        )
        if not healthy:
            raise DeployFailed(f"Health check failed: {seen}.")

    def alive(self, deployment) -> None:
        return None  # the other system supervises what it runs

    def stop(self, deployment) -> None:
        return None  # the next release the command hands over replaces this one

    def restore(self, deployment) -> dict:
        details = self.start(deployment, kind="rollback")
        started = copy.copy(deployment)  # the caller records the change on its own copy
        started.details, started.url = details, details["url"]
        self.ready(started)
        return details
