"""The steps of a scaffold run, and how a run resumes, retries and undoes itself.

Each step is idempotent: it looks before it creates, and stores what it created (ids, urls,
digests) on the run before the next step begins, so a retried or re-delivered task resumes
after the last finished step and never creates a second repository, pipeline or service:

- ``validate``: the parameters against the template's schema, the permission, the name;
- ``render``: Copier, sandboxed, into ``KEEL_SCAFFOLD_WORK_DIR/<run id>`` (re-rendered when a
  later step on another machine finds no folder: rendering is deterministic);
- ``create_repository``: the provider adopts a repository carrying this run's marker and
  refuses any other;
- ``push``: code, ``catalog-info.yaml`` and the pipeline definitions as the first commit of
  ``main``; a ``main`` that exists already is this run's earlier push;
- ``create_pipeline`` and ``register``: database rows written in one transaction together with
  the step's status, so they happen exactly once.

A worker holds a run through a short lease (``lease_expires_at``), renewed at every step and
by a heartbeat while a step works; a run whose lease ran out lost its worker and is resumed by
``reap_stalled_runs``, which every worker runs on its own timer (or reported failed after
``KEEL_SCAFFOLD_MAX_ATTEMPTS``). A transient error is retried with backoff and jitter from the
failing step's own budget (``KEEL_SCAFFOLD_STEP_RETRIES``). A step that fails for good undoes
what earlier steps created, newest first, and the run ends ``failed`` with a message a person
can act on.
"""

import logging
import random
import shutil
from datetime import timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from catalog import actions as catalog_actions
from catalog.models import DataDomain, Service
from portal.audit import system_actor
from portal.leases import renewing
from portal.models import Interface
from portal.writes import atomic_write

from . import actions as scaffold_actions
from . import pipelines
from .gitops import author_line
from .models import ScaffoldLogEntry, ScaffoldRun, ScaffoldStep
from .providers import HostingError, RepositoryConflict, TransientError, get_provider
from .registry import get_template
from .rendering import RenderError, render

log = logging.getLogger(__name__)
VIA = Interface.JOB


class StepFailed(Exception):
    """A permanent failure with a message for the person who asked."""


# Test hook: a callable(run, step_name) run before every step (to inject failures or pauses).
before_step = None


def workdir(run: ScaffoldRun) -> Path:
    return Path(settings.KEEL_SCAFFOLD_WORK_DIR) / str(run.uuid) / "project"


def lease_until():
    return timezone.now() + timedelta(seconds=settings.KEEL_SCAFFOLD_LEASE_SECONDS)


def write_log(run, message, *, step="", level=ScaffoldLogEntry.Level.INFO):
    ScaffoldLogEntry.objects.create(run=run, step=step, level=level, message=message)
    getattr(log, "warning" if level != "info" else "info")("scaffold %s: %s", run.pk, message)


# --- claiming a run -------------------------------------------------------------------------


def claim(run_uuid) -> ScaffoldRun | None:
    """Take the run for this worker, or None when it is finished or held by a live worker."""
    with transaction.atomic():
        run = ScaffoldRun.objects.select_for_update().filter(uuid=run_uuid).first()
        if run is None or run.is_finished:
            return None
        now = timezone.now()
        if (
            run.status == ScaffoldRun.Status.RUNNING
            and run.lease_expires_at
            and run.lease_expires_at > now
        ):
            return None
        resumed = run.attempts > 0
        run.status = ScaffoldRun.Status.RUNNING
        run.attempts += 1
        run.lease_expires_at = lease_until()
        run.started_at = run.started_at or now
        run.save(
            update_fields=["status", "attempts", "lease_expires_at", "started_at", "updated_at"]
        )
        if resumed:
            write_log(run, f"Attempt {run.attempts}: resuming after the last finished step.")
    return run


def renew_lease(run: ScaffoldRun) -> bool:
    """Extend the lease of this attempt's claim; False when the run is no longer ours."""
    return bool(
        ScaffoldRun.objects.filter(
            pk=run.pk, status=ScaffoldRun.Status.RUNNING, attempts=run.attempts
        ).update(lease_expires_at=lease_until())
    )


def heartbeat(run: ScaffoldRun):
    """Renew the run's lease every ``KEEL_SCAFFOLD_HEARTBEAT_SECONDS`` while the block runs:
    a long step (a slow push) keeps its run, and a dead worker's run is noticed one short
    lease after its last beat. Only this attempt's claim is renewed."""
    return renewing(
        lambda: renew_lease(run),
        every=settings.KEEL_SCAFFOLD_HEARTBEAT_SECONDS,
        name=f"scaffold-heartbeat-{run.pk}",
    )


def backoff(retries: int) -> float:
    """Seconds before retry number ``retries + 1``: exponential, capped, with jitter, so runs
    that failed together (a host outage) do not all come back at the same moment."""
    ceiling = min(
        settings.KEEL_SCAFFOLD_RETRY_MAX_SECONDS,
        settings.KEEL_SCAFFOLD_RETRY_BASE_SECONDS * 2**retries,
    )
    return round(random.uniform(ceiling / 2, ceiling), 1)  # noqa: S311 - not a secret


def release_for_retry(run: ScaffoldRun, error: Exception) -> float | None:
    """Charge the failing step's retry budget and hand the run back for a retry; return the
    countdown, or None after failing the run when that step's budget is spent."""
    step = ScaffoldStep.objects.get(run=run, name=run.current_step)
    if step.retries >= settings.KEEL_SCAFFOLD_STEP_RETRIES:
        fail(
            run,
            f"{error} Gave up after {step.retries + 1} tries of step {step.name}; start again "
            "later.",
            step=step.name,
        )
        return None
    countdown = backoff(step.retries)
    with transaction.atomic():
        ScaffoldStep.objects.filter(pk=step.pk).update(
            status=ScaffoldStep.Status.PENDING, retries=step.retries + 1
        )
        run.status = ScaffoldRun.Status.PENDING
        run.lease_expires_at = None
        run.save(update_fields=["status", "lease_expires_at", "updated_at"])
    write_log(run, f"{error} Retrying in {countdown} s.", step=step.name, level="warning")
    return countdown


# --- the steps ------------------------------------------------------------------------------


class Context:
    def __init__(self, run: ScaffoldRun):
        self.run = run
        self.template = get_template(run.template)
        if self.template is None or self.template.version != run.template_version:
            found = self.template.version if self.template else "none"
            raise StepFailed(
                f"Template {run.template} {run.template_version} is no longer shipped "
                f"(found {found}); start a new request."
            )
        self.provider = get_provider(run.repository_provider or None)
        self.folder = workdir(run)

    def log(self, message, step, level="info"):
        write_log(self.run, message, step=step, level=level)

    def ensure_rendered(self):
        if not (self.folder / ".keel" / "service.json").is_file():
            self.render()

    def render(self):
        run = self.run
        try:
            files = render(self.template, run.parameters, self.folder)
        except (RenderError, ValidationError) as error:
            raise StepFailed(str(error)) from error
        added = pipelines.write_delivery_files(
            self.folder,
            slug=run.slug,
            parameters=run.parameters,
            template=self.template,
            repository_url=run.repository_url or self.provider_url_guess(),
        )
        return files, added

    def provider_url_guess(self):
        if self.provider.name == "local":
            return f"{settings.KEEL_BASE_URL.rstrip('/')}/git/{self.run.slug}.git"
        return ""


def step_validate(ctx: Context):
    from .actions import domain_choices, teams_for

    run = ctx.run
    requester = run.requested_by
    if requester is None or not requester.is_active:
        raise StepFailed("The person who asked for this service no longer has an account.")
    try:
        ctx.template.validate(run.parameters, teams=teams_for(requester), domains=domain_choices())
    except ValidationError as error:
        fields = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        raise StepFailed(f"The request is no longer valid: {fields}") from error
    existing = Service.objects.filter(slug__iexact=run.slug).first()
    if existing is not None and existing.pk != run.service_id:
        raise StepFailed(
            f"A service named {run.slug} was registered meanwhile; choose another name."
        )
    if not run.repository_provider:
        run.repository_provider = settings.KEEL_REPOSITORY_PROVIDER
        run.save(update_fields=["repository_provider", "updated_at"])
    ctx.log(
        f"Template {run.template} {run.template_version}; owner team {run.owner_team.slug}.",
        "validate",
    )


def step_render(ctx: Context):
    files, added = ctx.render()
    ctx.log(f"Rendered {len(files)} files; added {', '.join(added)}.", "render")


def step_create_repository(ctx: Context):
    run = ctx.run
    try:
        info = ctx.provider.create(
            run.slug,
            run_id=str(run.uuid),
            description=run.parameters.get("description") or run.parameters["name"],
        )
    except RepositoryConflict as error:
        raise StepFailed(str(error)) from error
    run.repository_id = info.id
    run.repository_url = info.clone_url
    run.save(update_fields=["repository_id", "repository_url", "updated_at"])
    ctx.log(f"Repository {info.clone_url} ({ctx.provider.name}).", "create_repository")


def step_push(ctx: Context):
    run = ctx.run
    ctx.ensure_rendered()
    # The descriptor names the repository, known for certain only now; rewriting the delivery
    # files is deterministic, so a retried push commits the same tree.
    pipelines.write_delivery_files(
        ctx.folder,
        slug=run.slug,
        parameters=run.parameters,
        template=ctx.template,
        repository_url=run.repository_url,
    )
    info = ctx.provider.find(run.slug)
    if info is None or info.run_marker != str(run.uuid):
        raise StepFailed(f"The repository {run.slug} disappeared or was replaced; start again.")
    requester = run.requested_by
    # Whoever may clone reads the commit: it names the requester, never their e-mail (no
    # interface shows one); ``.invalid`` is the top-level domain that never resolves.
    author = author_line(
        requester.get_full_name() or requester.get_username(),
        f"{requester.get_username()}@users.keel.invalid",
    )
    message = (
        f"Create {run.slug} from {run.template} {run.template_version}\n\n"
        f"Requested in Keel by {requester.get_username()} for team {run.owner_team.slug} "
        f"(run {run.uuid}).\n"
    )
    commit, tree = ctx.provider.push(info, ctx.folder, message=message, author=author)
    run.commit_sha, run.tree_sha = commit, tree
    run.save(update_fields=["commit_sha", "tree_sha", "updated_at"])
    ctx.log(f"Pushed {commit[:12]} to main.", "push")


def step_create_pipeline(ctx: Context):
    """The portal-native pipeline, read from the definition that was committed."""
    import yaml

    from .models import Pipeline

    run = ctx.run
    if Pipeline.objects.filter(run=run).exists():
        return
    if Pipeline.objects.filter(slug__iexact=run.slug).exists():
        raise StepFailed(f"A pipeline named {run.slug} already exists; choose another name.")
    ctx.ensure_rendered()
    definition = yaml.safe_load((ctx.folder / pipelines.NATIVE_PATH).read_text())
    info = ctx.provider.find(run.slug)
    try:
        scaffold_actions.create_pipeline(
            run,
            definition=definition,
            ci_url=ctx.provider.pipeline_url(info) if info else "",
            actor=run.requested_by,
            via=VIA,
        )
    except PermissionDenied as error:
        raise StepFailed(f"{error} Ask a team lead to add you, then start again.") from error
    ctx.log(
        f"Pipeline with stages {' → '.join(s['name'] for s in definition['spec']['stages'])}.",
        "create_pipeline",
    )


def step_register(ctx: Context):
    """The service in the catalog, owned by the requesting team, with its API and links;
    written through ``catalog.actions`` as the requester, so history says who asked."""
    from .models import Pipeline

    run = ctx.run
    if run.service_id:
        return
    params, template = run.parameters, ctx.template
    domain = None
    if params.get("data_domain"):
        domain = DataDomain.objects.filter(slug=params["data_domain"]).first()
        if domain is None:
            raise StepFailed(f"The data domain {params['data_domain']} no longer exists.")
    pipeline = Pipeline.objects.get(run=run)
    base = settings.KEEL_BASE_URL.rstrip("/")
    actor = run.requested_by
    try:
        service = catalog_actions.create_service(
            actor=actor,
            via=VIA,
            owner_team=run.owner_team,
            slug=run.slug,
            name=params["name"],
            description=params.get("description", ""),
            lifecycle=params.get("lifecycle", "experimental"),
            tier=params.get("tier", 3),
            kind=template.kind,
            language=template.language,
            framework=template.framework,
            runtime=template.runtime,
            repository_url=run.repository_url,
            pipeline_url=f"{base}{pipeline.get_absolute_url()}",
            data_domain=domain,
            template=template.slug,
            template_version=template.version,
        )
        if template.provides_api:
            ctx.ensure_rendered()
            spec = (ctx.folder / template.provides_api["path"]).read_text()
            api = catalog_actions.create_api(
                actor=actor,
                via=VIA,
                provider=service,
                slug=f"{run.slug}-api",
                name=f"{params['name']} API"[:200],
                type=template.provides_api["type"],
            )
            catalog_actions.publish_api_version(
                api, actor=actor, via=VIA, version="0.1.0", spec=spec
            )
        scaffold_actions.link_service(run, service, actor=actor, via=VIA)
    except PermissionDenied as error:
        raise StepFailed(f"{error} Ask a team lead to add you, then start again.") from error
    except ValidationError as error:
        raise StepFailed(f"The catalog refused the service: {'; '.join(error.messages)}") from error
    ctx.log(f"Registered {service.slug}, owned by {run.owner_team.slug}.", "register")


STEP_FUNCTIONS = {
    "validate": step_validate,
    "render": step_render,
    "create_repository": step_create_repository,
    "push": step_push,
    "create_pipeline": step_create_pipeline,
    "register": step_register,
}
# Steps whose effects live in the database: written in the same transaction as their status.
ATOMIC_STEPS = {"create_pipeline", "register"}


# --- running and undoing --------------------------------------------------------------------


def execute(run: ScaffoldRun) -> ScaffoldRun:
    """Run the remaining steps of a claimed run. Raises TransientError to be retried."""
    try:
        ctx = Context(run)
    except StepFailed as error:
        fail(run, str(error), step=run.current_step)
        return run
    for step in run.steps.order_by("position"):
        if step.status == ScaffoldStep.Status.SUCCEEDED:
            continue
        now = timezone.now()
        ScaffoldRun.objects.filter(pk=run.pk).update(
            current_step=step.name, lease_expires_at=lease_until(), updated_at=now
        )
        run.current_step = step.name
        ScaffoldStep.objects.filter(pk=step.pk).update(
            status=ScaffoldStep.Status.RUNNING, started_at=now, finished_at=None
        )
        try:
            if before_step is not None:
                before_step(run, step.name)
            if step.name in ATOMIC_STEPS:
                with atomic_write():
                    STEP_FUNCTIONS[step.name](ctx)
                    _finish_step(step)
            else:
                STEP_FUNCTIONS[step.name](ctx)
                _finish_step(step)
        except TransientError:
            raise
        except SoftTimeLimitExceeded:
            fail(
                run,
                f"Step {step.name} took longer than {settings.KEEL_SCAFFOLD_TIME_LIMIT} s and was "
                "stopped; what was created has been removed. Start again, and tell the platform "
                "team if it happens twice.",
                step=step.name,
            )
            return run
        except (StepFailed, HostingError, PermissionError) as error:  # refusals, readable
            fail(run, str(error), step=step.name)
            return run
        except Exception as error:  # noqa: BLE001 - anything unexpected fails the run readably
            log.exception("scaffold %s: step %s crashed", run.pk, step.name)
            fail(run, f"Step {step.name} failed unexpectedly: {error}", step=step.name)
            return run
    succeed(run)
    return run


def _finish_step(step):
    ScaffoldStep.objects.filter(pk=step.pk).update(
        status=ScaffoldStep.Status.SUCCEEDED, finished_at=timezone.now()
    )


def succeed(run: ScaffoldRun) -> None:
    now = timezone.now()
    run.status = ScaffoldRun.Status.SUCCEEDED
    run.current_step = "done"
    run.finished_at = now
    run.lease_expires_at = None
    run.save(
        update_fields=["status", "current_step", "finished_at", "lease_expires_at", "updated_at"]
    )
    total = (now - run.started_at).total_seconds() if run.started_at else 0
    write_log(
        run, f"Done in {total:.1f} s: {run.service.get_absolute_url() if run.service else ''}"
    )
    shutil.rmtree(workdir(run).parent, ignore_errors=True)


def fail(run: ScaffoldRun, message: str, *, step: str = "") -> None:
    """End the run failed, after undoing what its steps created (newest first)."""
    if step:
        ScaffoldStep.objects.filter(run=run, name=step).update(
            status=ScaffoldStep.Status.FAILED, finished_at=timezone.now()
        )
    write_log(run, message, step=step, level="error")
    problems = compensate(run)
    if problems:
        message += " Clean-up was incomplete: " + " ".join(problems)
    run.status = ScaffoldRun.Status.FAILED
    run.error = message
    run.finished_at = timezone.now()
    run.lease_expires_at = None
    run.save(update_fields=["status", "error", "finished_at", "lease_expires_at", "updated_at"])


def compensate(run: ScaffoldRun) -> list[str]:
    """Remove the service, pipeline, repository and work folder this run created."""
    from .models import Pipeline

    problems = []
    run.refresh_from_db()
    if run.service_id:
        service = run.service
        try:
            catalog_actions.delete_service(service, actor=system_actor(), via=VIA)
            write_log(
                run, f"Undone: removed service {service.slug} from the catalog.", step="register"
            )
        except Exception as error:  # noqa: BLE001 - report and go on undoing the rest
            problems.append(f"the service {service.slug} could not be removed ({error}).")
    for pipeline in Pipeline.objects.filter(run=run):
        scaffold_actions.delete_pipeline(pipeline, actor=system_actor(), via=VIA)
        write_log(run, "Undone: removed the pipeline.", step="create_pipeline")
    if run.repository_id or run.repository_provider:
        try:
            provider = get_provider(run.repository_provider or None)
            if provider.delete(run.slug, run_id=str(run.uuid)):
                write_log(
                    run, f"Undone: removed the repository {run.slug}.", step="create_repository"
                )
        except Exception as error:  # noqa: BLE001
            problems.append(f"the repository {run.slug} could not be removed ({error}).")
    shutil.rmtree(workdir(run).parent, ignore_errors=True)
    ScaffoldStep.objects.filter(run=run, status=ScaffoldStep.Status.SUCCEEDED).update(
        status=ScaffoldStep.Status.UNDONE
    )
    return problems


def reap_stalled_runs(now=None) -> list[str]:
    """Runs whose worker died (lease expired): send them again, or fail them for good after
    ``KEEL_SCAFFOLD_MAX_ATTEMPTS``. Returns the ids of the runs handled."""
    from .actions import enqueue

    handled = []
    for run_id in ScaffoldRun.objects.stalled(now).values_list("pk", flat=True):
        with transaction.atomic():
            run = ScaffoldRun.objects.select_for_update().get(pk=run_id)
            if (
                run.status != ScaffoldRun.Status.RUNNING
                or not run.lease_expires_at
                or run.lease_expires_at >= (now or timezone.now())
            ):
                continue
            if run.attempts >= settings.KEEL_SCAFFOLD_MAX_ATTEMPTS:
                fail_later = True
            else:
                fail_later = False
                run.status = ScaffoldRun.Status.PENDING
                run.lease_expires_at = None
                run.save(update_fields=["status", "lease_expires_at", "updated_at"])
                write_log(
                    run,
                    f"The worker stopped during step {run.current_step}; sending the run again.",
                    level="warning",
                )
                transaction.on_commit(lambda rid=run.uuid: enqueue(rid))
        if fail_later:
            fail(
                run,
                f"The worker stopped during step {run.current_step} {run.attempts} times; "
                "what was created has been removed. Start a new request; if it fails again, "
                "tell the platform team.",
                step=run.current_step,
            )
        handled.append(str(run.uuid))
    for run in ScaffoldRun.objects.forgotten(now):
        ScaffoldRun.objects.filter(pk=run.pk).update(updated_at=timezone.now())
        write_log(run, "No worker had taken this run; sending it again.", level="warning")
        enqueue(run.uuid)
        handled.append(str(run.uuid))
    return handled
