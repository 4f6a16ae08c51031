"""What the embedded runner does in each stage it runs, in the run's work folder
(``KEEL_DELIVERY_WORK_DIR/<run id>/``: ``src/`` the commit's files, ``venv/`` the build's
interpreter, ``wheels/`` the pinned dependencies as downloaded).

- **build**: a clean export of the commit, a fresh virtual environment, the project's pinned
  dependencies (``requirements.txt``, installed with ``--require-hashes`` from wheels
  downloaded once), then the pipeline definition's test command
  (``spec.commands.test``). A failing command fails the stage, and so the run.
- **package**: the artifact (``artifacts.store``) from a second, pristine export of the
  commit and the build's wheels; a worker that finds no build folder (another machine, a
  retried run) prepares it again without the tests.
- **staging**, **production**: the artifact deployed to the stage's environment, checked,
  and rolled back on failure (``deploy``, ``delivery.deployments``), once
  ``delivery.policy`` lets it go there (``promotable``): the run's earlier stages passed,
  an approval where one is asked for, no breaking API release waiting.

Every command runs through ``delivery.processes`` (scrubbed environment, limits, time).
"""

import logging
import shlex
import shutil
import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

from . import artifacts, policy, processes, repositories
from .bake import bake
from .models import PipelineRun, StageRun

log = logging.getLogger(__name__)

DEFAULT_TEST_COMMAND = "python -m unittest discover -s tests -v"


class StageFailed(Exception):
    """The stage failed for a reason its log and this message explain; ``result`` is what
    the stage still records (a deployment's id and where it rolled back to, a bake's verdict
    and figures)."""

    def __init__(self, message: str, *, result: dict | None = None):
        super().__init__(message)
        self.result = result or {}


def work_folder(run) -> Path:
    return Path(settings.KEEL_DELIVERY_WORK_DIR) / str(run.pk)


class Stage:
    """One attempt of a stage: its folder, its commands and their log."""

    def __init__(self, stage: StageRun, *, on_log=None):
        self.stage = stage
        self.run = stage.run
        self.pipeline = stage.run.pipeline
        self.folder = work_folder(self.run)
        self.src, self.venv, self.wheels = (self.folder / n for n in ("src", "venv", "wheels"))
        self.log = processes.BoundedOutput(settings.KEEL_DELIVERY_LOG_BYTES)
        self.log.add(stage.log.encode())  # what earlier attempts said (why this is a retry)
        self.on_log = on_log

    def note(self, text: str) -> None:
        self.log.add(text.encode() + b"\n")
        if self.on_log is not None:
            self.on_log(self.log.text())

    def command(self, args: list[str], *, cwd: Path, failure: str) -> processes.Outcome:
        self.note(f"$ {shlex.join(args)}")
        path = f"{self.venv / 'bin'}:{processes.SYSTEM_PATH}"
        try:
            outcome = processes.run(
                args, cwd=cwd, env=processes.scrubbed_environment(self.folder, path=path)
            )
        except OSError as error:  # no such program (a test command the venv lacks)
            raise StageFailed(
                f"{failure}: could not start {args[0]} ({error.strerror})."
            ) from error
        self.note(outcome.output.rstrip("\n"))
        status = "timed out" if outcome.timed_out else f"exit {outcome.returncode}"
        self.note(f"[{status} after {outcome.seconds:.1f} s]")
        if not outcome.ok:
            raise StageFailed(f"{failure} ({status}); see the {self.stage.name} log.")
        return outcome

    # --- preparing the folder ---------------------------------------------------------------

    def export(self, folder: Path) -> None:
        """The commit's files, and nothing else, into ``folder``."""
        repository = repositories.hosted_repository(self.pipeline)
        self.note(f"Exporting {self.run.commit_sha} of {self.pipeline.repository_url}")
        outcome = repositories.export(
            repository, self.run.commit_sha, folder,
            env=processes.scrubbed_environment(self.folder),
        )  # fmt: skip
        if not outcome.ok:
            self.note(outcome.output)
            raise StageFailed(f"Could not export commit {self.run.short_commit}.")

    def prepare(self) -> None:
        """A fresh folder: the commit's files, a virtual environment, the dependencies."""
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.export(self.src)
        self.command(
            [sys.executable, "-m", "venv", "--without-pip", str(self.venv)],
            cwd=self.folder, failure="Could not create the virtual environment",
        )  # fmt: skip
        requirements = self.src / "requirements.txt"
        if not pinned_lines(requirements):
            self.note("No requirements.txt pins: nothing to install.")
            self.wheels.mkdir()
            return
        self.command(
            [*pip(), "download", "--require-hashes", "--no-deps", "--only-binary=:all:",
             *index_options(), "-r", str(requirements), "-d", str(self.wheels)],
            cwd=self.src, failure="Could not download the pinned dependencies",
        )  # fmt: skip
        self.command(
            [*pip(), "--python", str(self.venv / "bin" / "python"), "install",
             "--require-hashes", "--no-deps", "--no-index", "--find-links", str(self.wheels),
             "-r", str(requirements)],
            cwd=self.src, failure="Could not install the pinned dependencies",
        )  # fmt: skip

    def prepared(self) -> bool:
        return (self.venv / "bin" / "python").exists() and self.wheels.is_dir()

    def cleanup(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def pip() -> list[str]:
    """The portal's own pip, run as a tool (the build's venv has none of its own)."""
    return [sys.executable, "-m", "pip", "--no-input", "--disable-pip-version-check"]


def index_options() -> list[str]:
    if settings.KEEL_DELIVERY_PIP_FIND_LINKS:
        return ["--no-index", "--find-links", settings.KEEL_DELIVERY_PIP_FIND_LINKS]
    if settings.KEEL_DELIVERY_PIP_INDEX_URL:
        return ["--index-url", settings.KEEL_DELIVERY_PIP_INDEX_URL]
    return []


def pinned_lines(requirements: Path) -> list[str]:
    if not requirements.is_file():
        return []
    lines = requirements.read_text(errors="replace").splitlines()
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_command(pipeline) -> list[str]:
    commands = ((pipeline.definition or {}).get("spec") or {}).get("commands") or {}
    text = commands.get("test") or DEFAULT_TEST_COMMAND
    return shlex.split(str(text))


def build(stage: Stage) -> dict:
    stage.prepare()
    args = test_command(stage.pipeline)
    outcome = stage.command(args, cwd=stage.src, failure="The unit tests failed")
    return {"test_command": shlex.join(args), "test_seconds": outcome.seconds}


def package(stage: Stage) -> dict:
    if not stage.prepared():
        stage.note("No build folder on this worker: preparing it again (tests not rerun).")
        stage.prepare()
    # What the tests left behind (bytecode, caches) is no part of the artifact.
    shutil.rmtree(stage.folder / "app", ignore_errors=True)
    stage.export(stage.folder / "app")
    artifact = artifacts.store(stage, stage.folder / "app")
    stage.note(
        f"Artifact sha256:{artifact.digest} ({artifact.size} bytes) with "
        f"{len(artifact.provenance['dependencies'])} dependencies: {artifact.path}"
    )
    return {"artifact": artifact.digest, "size": artifact.size, "path": artifact.path}


def deploy(stage: Stage) -> dict:
    """staging, production: the run's artifact deployed to the stage's environment through
    its target, smoke-tested, and rolled back on failure (``delivery.deployments``)."""
    from portal.audit import system_actor
    from portal.models import Interface

    from . import deployments
    from .targets import DeployFailed

    run = PipelineRun.objects.select_related("artifact", "started_by").get(pk=stage.run.pk)
    if run.artifact is None:
        raise StageFailed("This run has no artifact to deploy: the package stage made none.")
    name = (
        stage.pipeline.stages.filter(name=stage.stage.name)
        .values_list("environment", flat=True)
        .first()
    ) or stage.stage.name
    promotable(stage, run.artifact.digest, name)
    actor, via = run.started_by or system_actor(), Interface.JOB
    try:
        deployment = deployments.begin(
            stage.pipeline, name, run=run, actor=actor, via=via, note=stage.note
        )
    except DeployFailed as error:
        raise StageFailed(str(error)) from error
    ok, result, message = deployments.carry_out(deployment, actor=actor, via=via, note=stage.note)
    if not ok:
        raise StageFailed(message, result=result)
    return result


def promotable(stage: Stage, digest: str, environment: str) -> None:
    """Raise StageFailed, with what to do, unless the policy lets the artifact into
    ``environment``: Keel's own runner obeys the rules it enforces on external systems. The
    stages it asks for are the ones before this one, which this run has passed."""
    verdict = policy.can_promote(stage.pipeline, digest=digest, environment=environment)
    if verdict.allowed:
        stage.note(f"Policy: sha256:{digest[:12]} may go to {environment}.")
        return
    for reason in verdict.reasons:
        stage.note(f"Policy: {reason}")
    commit = stage.run.short_commit
    if verdict.needs_approval:
        first = (
            f"{environment.capitalize()} needs an approval: approve sha256:{digest} on the run "
            f"page, then run the pipeline again for this commit ({commit})."
        )
    else:
        first = f"The policy keeps this artifact out of {environment}."
    asked = policy.APPROVAL_MISSING.format(environment=environment)
    others = [reason for reason in verdict.reasons if reason != asked]
    message = " ".join([first, *others])
    if others:
        message += f" Run the pipeline again for this commit ({commit}) once that is resolved."
    raise StageFailed(message, result={"policy": "refused", "reasons": verdict.reasons})


RUNNERS = {
    "build": build, "package": package, "staging": deploy, "bake": bake, "production": deploy,
}  # fmt: skip


def execute(row: StageRun) -> str:
    """Run a claimed stage to its end and record it; returns the stage's status."""
    from celery.exceptions import SoftTimeLimitExceeded

    from . import scheduling

    stage = Stage(row, on_log=lambda text: scheduling.save_log(row, text))
    ok, result, message = False, {}, ""
    try:
        with scheduling.heartbeat(row):
            result = RUNNERS[row.name](stage)
        ok = True
    except StageFailed as error:
        message, result = str(error), error.result
    except ValidationError as error:  # the repository or commit went away meanwhile
        message = " ".join(error.messages)
    except SoftTimeLimitExceeded:
        message = (
            f"Stage {row.name} took longer than {settings.KEEL_DELIVERY_STAGE_TIME_LIMIT} s "
            "and was stopped."
        )
    except Exception as error:  # noqa: BLE001 - anything unexpected fails the run readably
        log.exception("delivery: stage %s of run %s crashed", row.name, row.run_id)
        message = f"Stage {row.name} failed unexpectedly: {error}"
    if message:
        stage.note(message)
    scheduling.finish_stage(row, ok=ok, log_text=stage.log.text(), result=result, message=message)
    finished = StageRun.objects.filter(pk=row.pk).values_list("run__status", "status").first()
    if finished and finished[0] in PipelineRun.FINISHED:
        stage.cleanup()
    return finished[1] if finished else "gone"
