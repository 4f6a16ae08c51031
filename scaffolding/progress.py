"""A scaffold run as people and tools follow it: its status, its steps with their timing, its
log, and what to do next once it succeeded. The run page (and its JSON), REST and GraphQL all
show this one view of the run (``ScaffoldRun.progress``), so they cannot disagree.

It reads what ``ScaffoldRunQuerySet.with_related`` loads (steps, log, service, pipeline):
no query of its own on a run read that way.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class NextStep:
    kind: str  # service, clone or pipeline
    label: str
    url: str


@dataclass(frozen=True)
class RunProgress:
    status: str
    status_label: str
    finished: bool
    current_step: str
    error: str
    steps: list  # ScaffoldStep rows, in order, with their timing
    log: list  # ScaffoldLogEntry rows, oldest first
    next_steps: list[NextStep]


def _next_steps(run) -> list[NextStep]:
    """Once the service exists: open it, clone its repository, see its pipeline."""
    if run.status != run.Status.SUCCEEDED:
        return []
    found = []
    if run.service_id:
        found.append(
            NextStep(
                "service", f"Open {run.service.name} in the catalog", run.service.get_absolute_url()
            )
        )
    if run.repository_url:
        found.append(NextStep("clone", "Clone its repository", run.repository_url))
    pipeline = getattr(run, "pipeline", None)
    if pipeline is not None:
        found.append(NextStep("pipeline", "See its delivery pipeline", pipeline.get_absolute_url()))
    return found


def progress(run) -> RunProgress:
    return RunProgress(
        status=run.status,
        status_label=run.get_status_display(),
        finished=run.is_finished,
        current_step=run.current_step,
        error=run.error,
        steps=list(run.steps.all()),
        log=list(run.log_entries.all()),
        next_steps=_next_steps(run),
    )
