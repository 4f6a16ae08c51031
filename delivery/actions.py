"""Every write of the delivery app that a person (or a push) asks for. Pages, REST, GraphQL
and the push receiver call these; what stages write as they run is the job's own
bookkeeping (``delivery.scheduling``), shown from the same rows."""

import logging
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal import permissions
from portal.audit import record_change, snapshot, system_actor
from portal.models import ChangeRecord, Interface
from portal.writes import atomic_write, locked, save_new
from scaffolding.models import Pipeline

from . import deployments, environments, policy, reports, repositories, scheduling
from .cdevents import Event
from .models import Approval, Deployment, Environment, EventSecret, PipelineRun, ReceivedEvent

log = logging.getLogger(__name__)


def start_run(
    pipeline: Pipeline,
    *,
    actor,
    via: str,
    commit: str | None = None,
    trigger: str = PipelineRun.Trigger.MANUAL,
) -> PipelineRun:
    """Run ``pipeline`` for ``commit`` (by default the head of ``main``), on behalf of
    ``actor``, who must be a member of the owning team (or staff): decided on the locked
    pipeline. Returns the queued run, which starts when no other run of the pipeline runs
    (superseding a run still waiting, or joining it when it waits for the same commit)."""
    permissions.require_signed_in(actor)
    with atomic_write():
        pipeline = locked(pipeline, actor=actor, action=permissions.CHANGE)
        repository = repositories.hosted_repository(pipeline)
        sha = (
            repositories.require_commit(repository, commit)
            if commit
            else repositories.head(repository)
        )
        run, created = scheduling.queue_run(
            pipeline, commit=sha, ref=scheduling.MAIN, trigger=trigger, actor=actor, via=via
        )
        if created:
            record_change(
                actor=actor, via=via, action=ChangeRecord.Action.CREATE, obj=run,
                after=snapshot(run),
            )  # fmt: skip
            transaction.on_commit(lambda: scheduling.dispatch(pipeline.pk))
    run.refresh_from_db()  # started already, when the stages ran at once (eager Celery)
    return run


def previous_good(environment: Environment, current: Deployment) -> Deployment | None:
    """The release a rollback restores: the newest one before ``current`` that served here
    until a later release replaced it, of another artifact, still stored."""
    return (
        environment.deployments.filter(
            status=Deployment.Status.REPLACED, pk__lt=current.pk, artifact__isnull=False
        )
        .exclude(artifact_digest=current.artifact_digest)
        .select_related("artifact")
        .order_by("-pk")
        .first()
    )


def rollback(environment: Environment, *, actor, via: str) -> Deployment:
    """Deploy ``environment``'s previous good release again (a Deployment of kind rollback),
    on behalf of ``actor``, who must be a member of the owning team (or staff): decided on
    the locked environment. The release it replaces is stopped and marked rolled back.
    Refused while another deployment there is in progress; a rollback that does not become
    healthy is recorded as failed (the environment keeps what it ran) and refused."""
    permissions.require_signed_in(actor)
    with atomic_write():
        environment = locked(environment, actor=actor, action=permissions.CHANGE)
        current = environment.current
        if current is None:
            raise ValidationError(f"{environment.name} runs no release: nothing to roll back.")
        good = previous_good(environment, current)
        if good is None:
            raise ValidationError(
                f"{environment.name} has no earlier good release to roll back to."
            )
        deployment, busy = deployments.claim(
            environment, kind=Deployment.Kind.ROLLBACK, artifact=good.artifact,
            commit=good.commit_sha, version=good.version, actor=actor, via=via,
        )  # fmt: skip
        if busy is not None:
            raise ValidationError(
                f"Deployment {busy.pk} to {environment.name} is in progress; try again when "
                "it has finished."
            )
    ok, _, message = deployments.carry_out(
        deployment, actor=actor, via=via, note=lambda text: log.info("rollback: %s", text)
    )
    if not ok:
        raise ValidationError(f"The rollback (deployment {deployment.pk}) failed: {message}")
    deployment.refresh_from_db()
    return deployment


def approve(pipeline: Pipeline, *, environment: str, digest: str, actor, via: str,
            comment: str = "") -> Approval:  # fmt: skip
    """``actor`` (a member of the owning team, or staff) approves the artifact ``digest`` for
    ``environment``: ``delivery.policy`` then lets it deploy there once it has passed the
    stages before. Approving deploys nothing by itself: the next promotion (a new run, or
    the external CI's production job run again) finds the approval."""
    permissions.require_signed_in(actor)
    digest = policy.digest_of(digest)
    with atomic_write():
        pipeline = locked(pipeline, actor=actor, action=permissions.CHANGE)
        envs = {env.name: env for env in environments.ensure(pipeline, actor=actor, via=via)}
        if environment not in envs:
            policy.required_stages(pipeline, environment)  # the field error naming the known ones
        return save_new(
            Approval(environment=envs[environment], artifact_digest=digest, approver=actor,
                     comment=comment.strip()),
            actor=actor, via=via,
        )  # fmt: skip


def rotate_event_secret(pipeline: Pipeline, *, actor, via: str) -> str:
    """A new secret for the pipeline's CDEvents (the previous one stops verifying at once),
    returned this once: Keel never shows it again. Members of the owning team, or staff."""
    permissions.require_signed_in(actor)
    secret = secrets.token_hex(32)
    with atomic_write():
        pipeline = locked(pipeline, actor=actor, action=permissions.CHANGE)
        stored = EventSecret.objects.select_for_update().filter(pipeline=pipeline).first()
        if stored is None:
            save_new(EventSecret(pipeline=pipeline, secret=secret), actor=actor, via=via)
        else:
            before = snapshot(stored)
            stored.secret = secret
            stored.save(update_fields=["secret", "rotated_at"])
            record_change(actor=actor, via=via, action=ChangeRecord.Action.UPDATE, obj=stored,
                          before=before, after=snapshot(stored))  # fmt: skip
    return secret


class Replayed(Exception):
    """The event's id was accepted for this pipeline before."""


def receive_event(pipeline: Pipeline, event: Event) -> reports.Outcome:
    """Apply a verified CDEvent (``delivery.events``) to ``pipeline``, acting as Keel's
    system account through the API, and store its id, in one transaction: a ValidationError
    or ``Replayed`` leaves nothing written. A refused deployment is written (the record of
    the violation) and says so in the outcome."""
    actor, via = system_actor(), Interface.API
    with atomic_write():
        pipeline = locked(pipeline, actor=actor, action=permissions.CHANGE)
        if ReceivedEvent.objects.filter(pipeline=pipeline, event_id=event.id).exists():
            raise Replayed(event.id)
        try:
            with transaction.atomic():
                ReceivedEvent.objects.create(
                    pipeline=pipeline, event_id=event.id, type=event.kind, source=event.source[:500]
                )
        except IntegrityError:  # the same id, arriving at the same moment
            raise Replayed(event.id) from None
        outcome = reports.apply(pipeline, event, actor=actor, via=via)
    return outcome
