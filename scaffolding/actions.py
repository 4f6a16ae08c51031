"""Every write of the scaffolding app. Forms, REST, GraphQL and the tasks call these.

``request_scaffold`` is the one entry point of self-service: it validates the parameters
against the template's JSON Schema, checks that the requester may act for the owner team and
that the name is free (no service, no repository, no other run), then creates the
``ScaffoldRun`` with its steps and its ChangeRecord in one transaction and enqueues the Celery
task when that transaction commits. The task does the rest (``scaffolding.runner``).
"""

import hashlib
import json
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog.models import DataDomain, Service
from portal import permissions
from portal.audit import record_change, snapshot
from portal.models import ChangeRecord
from portal.names import name_problem
from portal.writes import atomic_write, delete, locked, save_changes
from teams.models import Team

from .models import STEPS, ScaffoldLogEntry, ScaffoldRun, ScaffoldStep
from .providers import HostingError, TransientError, get_provider
from .registry import ServiceTemplate, get_template

logger = logging.getLogger(__name__)


def teams_for(user) -> list[str]:
    """The slugs of the teams ``user`` may create services for (``portal.permissions``)."""
    teams = permissions.restrict(Team.objects.all(), user, permissions.CONTRIBUTE)
    return list(teams.order_by("slug").values_list("slug", flat=True))


def domain_choices() -> list[str]:
    return list(DataDomain.objects.order_by("slug").values_list("slug", flat=True))


def fingerprint(template: str, parameters: dict) -> str:
    text = json.dumps({"template": template, "parameters": parameters}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def check_name_is_free(slug: str, *, provider_name: str | None = None) -> None:
    """Refuse a name that an existing service or repository already has (a field error)."""
    if Service.objects.filter(slug__iexact=slug).exists():
        raise ValidationError({"slug": f"A service named {slug} already exists in the catalog."})
    provider = get_provider(provider_name)
    try:
        existing = provider.find(slug)
    except (TransientError, PermissionError, HostingError) as error:
        raise ValidationError(
            {
                "slug": f"Could not check whether a repository named {slug} exists ({error}); try again."
            }
        ) from error
    if existing is not None:
        raise ValidationError(
            {"slug": f"A repository named {slug} already exists; choose another name."}
        )


def validate_request(template: ServiceTemplate | None, parameters: dict, *, actor) -> dict:
    """The parameters with defaults filled in, or a ValidationError per field."""
    permissions.require_signed_in(actor)
    if template is None:
        raise ValidationError({"template": "There is no such template."})
    values = template.validate(parameters, teams=teams_for(actor), domains=domain_choices())
    problem = name_problem(values["slug"])
    if problem:  # before the name reaches a provider: the rule every slug follows
        raise ValidationError({"slug": problem})
    check_name_is_free(values["slug"])
    return values


def request_scaffold(*, actor, via: str, template: str, parameters: dict) -> ScaffoldRun:
    """Ask for a new service from ``template``; returns the run (created, or the identical
    run this person already asked for a moment ago, so a double submit starts one job)."""
    service_template = get_template(template)
    values = validate_request(service_template, parameters, actor=actor)
    team = Team.objects.get(slug=values["owner_team"])
    permissions.require(actor, permissions.CONTRIBUTE, team)  # before the work below
    run = ScaffoldRun(
        slug=values["slug"],
        template=service_template.slug,
        template_version=service_template.version,
        parameters=values,
        owner_team=team,
        requested_by=actor,
        via=via,
        current_step=STEPS[0][0],
    )
    run.full_clean(validate_constraints=False)
    try:
        with atomic_write():
            run.owner_team = locked(team, actor=actor, action=permissions.CONTRIBUTE)
            run.save(force_insert=True)
            ScaffoldStep.objects.bulk_create(
                ScaffoldStep(run=run, position=i, name=name) for i, (name, _) in enumerate(STEPS)
            )
            record_change(
                actor=actor,
                via=via,
                action=ChangeRecord.Action.CREATE,
                obj=run,
                after=snapshot(run),
            )
            transaction.on_commit(lambda: enqueue(run.uuid))
    except IntegrityError:
        existing = ScaffoldRun.objects.in_flight().filter(slug__iexact=values["slug"]).first()
        if (
            existing is not None
            and existing.requested_by_id == actor.pk
            and fingerprint(existing.template, existing.parameters)
            == fingerprint(run.template, values)
        ):
            return existing
        raise ValidationError(
            {"slug": f"A service named {values['slug']} is already being created; see its run."}
        ) from None
    return run


def enqueue(run_uuid) -> None:
    """Send the run's public id (never its data) to a worker. The uuid, not the primary key:
    a message that outlives its database (a test run, a restore) can never match another run. A broker that is down does not fail
    the request: the run stays pending and ``reap_stalled_runs`` sends it again later."""
    from kombu.exceptions import OperationalError

    from portal.tasks import send

    from .tasks import run_scaffold

    try:
        send(run_scaffold, str(run_uuid))
    except (OperationalError, OSError):
        logger.warning(
            "Could not enqueue scaffold run %s; the reaper will retry.", run_uuid, exc_info=True
        )


def retry_scaffold(run: ScaffoldRun, *, actor, via: str) -> ScaffoldRun:
    """Start a failed run again as a new run with the same parameters."""
    with atomic_write():
        run = locked(run, actor=actor, action=permissions.CHANGE)
        if run.status != ScaffoldRun.Status.FAILED:
            raise ValidationError("Only a failed run can be started again.")
        return request_scaffold(
            actor=actor, via=via, template=run.template, parameters=run.parameters
        )


# --- pipelines and repositories -------------------------------------------------------------


def create_pipeline(run: ScaffoldRun, *, definition: dict, ci_url: str, actor, via: str):
    """The portal's copy of the pipeline a run committed, with its stages; the requester
    acts for the run's team, so must still be a member of it."""
    from .models import Pipeline, PipelineStage
    from .pipelines import GITHUB_PATH, GITLAB_PATH, NATIVE_PATH, bake_settings

    bake_settings(definition)  # a bad spec.bake is refused here, not at the first bake
    with atomic_write():
        team = locked(run.owner_team, actor=actor, action=permissions.CONTRIBUTE)
        pipeline = Pipeline(
            slug=run.slug,
            owner_team=team,
            run=run,
            repository_url=run.repository_url,
            ci_url=ci_url,
            definition_path=NATIVE_PATH,
            definition=definition,
            ci_files=[GITHUB_PATH, GITLAB_PATH],
        )
        pipeline.save(force_insert=True)
        PipelineStage.objects.bulk_create(
            PipelineStage(
                pipeline=pipeline,
                position=i,
                name=stage["name"],
                environment=stage["environment"],
                on_success=stage["on_success"],
                on_failure=stage["on_failure"],
                steps=stage["steps"],
            )
            for i, stage in enumerate(definition["spec"]["stages"])
        )
        record_change(
            actor=actor, via=via, action=ChangeRecord.Action.CREATE, obj=pipeline,
            after=snapshot(pipeline),
        )  # fmt: skip
    return pipeline


def link_service(run: ScaffoldRun, service: Service, *, actor, via: str) -> None:
    """The run and its pipeline point at the service the run registered; the pipeline's
    change is recorded on its history like any other."""
    from .models import Pipeline

    with atomic_write():
        pipeline = locked(Pipeline.objects.get(run=run), actor=actor, action=permissions.CHANGE)
        save_changes(pipeline, {"service": service}, actor=actor, via=via, editable={"service"})
        run.service = service
        run.save(update_fields=["service", "updated_at"])


def delete_pipeline(pipeline, *, actor, via: str) -> None:
    """Remove a pipeline and its stages (a failed run's undoing), each recorded."""
    with atomic_write():
        current = locked(pipeline, actor=actor, action=permissions.CHANGE, deleting=True)
        delete(current, actor=actor, via=via)


def retire_repository(service: Service, *, actor, via: str) -> None:
    """A scaffolded service is being deleted: its repository goes when the deletion commits,
    so that the name is free again and ``/git/<slug>.git`` stops serving the old code. The
    run forgets the repository in the same transaction, recorded on the service's history.
    (Its pipeline row goes with the service: a foreign key cascade.)"""
    run = ScaffoldRun.objects.filter(service=service, status=ScaffoldRun.Status.SUCCEEDED).first()
    if run is None or not run.repository_id:
        return
    before = _repository_fields(run)
    run.repository_id = run.repository_url = ""
    run.save(update_fields=["repository_id", "repository_url", "updated_at"])
    record_change(
        actor=actor, via=via, action=ChangeRecord.Action.UPDATE, obj=run, before=before,
        after=_repository_fields(run), parent=service,
    )  # fmt: skip
    provider_name, slug, run_id = run.repository_provider or None, run.slug, str(run.uuid)

    def remove():
        try:
            removed = get_provider(provider_name).delete(slug, run_id=run_id)
        except Exception:  # noqa: BLE001 - the deletion has committed; say what is left over
            logger.exception("Could not remove the repository %s of a deleted service.", slug)
            message, level = (
                f"The repository {slug} could not be removed; remove it by hand.",
                "error",
            )
        else:
            message = (
                f"Removed the repository {slug}: its service was deleted."
                if removed
                else (f"The repository {slug} was not there any more.")
            )
            level = "info"
        ScaffoldLogEntry.objects.create(run_id=run.pk, level=level, message=message)

    transaction.on_commit(remove)


def _repository_fields(run: ScaffoldRun) -> dict:
    return {
        name: getattr(run, name)
        for name in ("repository_provider", "repository_id", "repository_url")
    }
