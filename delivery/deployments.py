"""Putting a release into an environment, the same way for a run's staging and production
stages and for a person's rollback.

1. ``claim``: with the environment's row locked, a ``Deployment`` (status deploying) is made
   for the release, the one serving there as its ``previous``. While another deployment to
   the environment is deploying nothing is made (the partial unique constraint is the
   guard); a run's stage waits for it (``begin``), a person is told to try again. One left
   deploying by a worker that died is failed first, and its process stopped.
2. ``carry_out``: the environment's target starts the release, waits until it is healthy and
   smoke-tests it (its health endpoint). Success: the release is live, the environment's
   ``current``, and the one it replaced is stopped (replaced, or rolled back when this is a
   rollback). Failure: the new release is stopped and the last good one kept serving (started
   again if its process had gone): the environment is rolled back to it, and the failed
   deployment's message says why. A deployment handed over by webhook is settled by the CD
   system's report (``delivery.reports``), which ``settle`` then keeps.
3. ``supervise``: a live embedded release whose process died is started again (the
   worker's periodic timer calls it through ``delivery.tasks.reap``).

Every write of a Deployment or an Environment records a ChangeRecord.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.audit import record_change, snapshot, system_actor
from portal.models import ChangeRecord, Interface
from scaffolding.models import Pipeline

from . import environments, targets
from .models import Deployment, Environment, PipelineRun
from .targets import DeployFailed, health

log = logging.getLogger(__name__)


def _update(obj, *, actor, via: str, **changes) -> None:
    before = snapshot(obj)
    for field, value in changes.items():
        setattr(obj, field, value)
    obj.save(update_fields=list(changes))
    record_change(
        actor=actor, via=via, action=ChangeRecord.Action.UPDATE, obj=obj, before=before,
        after=snapshot(obj),
    )  # fmt: skip


def configure(environment: Environment, *, actor, via: str) -> None:
    """Bring the locked environment's target and settings in line with its pipeline's
    definition (and ``KEEL_DELIVERY_TARGET``)."""
    target, config = targets.configured(environment.pipeline, environment.name)
    requires_approval = bool(config.pop("requires_approval", environment.requires_approval))
    wanted = {"target": target, "config": config, "requires_approval": requires_approval}
    changed = {k: v for k, v in wanted.items() if getattr(environment, k) != v}
    if changed:
        _update(environment, actor=actor, via=via, **changed)


def _stop(environment: Environment, deployment: Deployment) -> None:
    """Stop a release that no longer counts (when its target is one this Keel has)."""
    try:
        target = targets.for_environment(environment)
    except DeployFailed:
        return
    target.stop(deployment)


def _stale(busy: Deployment, run) -> bool:
    """A deployment left deploying by a worker or request that died."""
    if busy.run_id is not None:
        return (run is not None and busy.run_id == run.pk) or (
            busy.run.status != PipelineRun.Status.RUNNING
        )
    limit = settings.KEEL_DELIVERY_HEALTH_SECONDS + settings.KEEL_DELIVERY_COMMAND_SECONDS
    return busy.created_at < timezone.now() - timedelta(seconds=limit)


def claim(
    environment: Environment,
    *,
    kind: str,
    artifact,
    commit: str,
    version: str,
    run=None,
    actor,
    via: str,
) -> tuple[Deployment | None, Deployment | None]:
    """``(the new deploying Deployment, None)``, or ``(None, the deployment in progress)``.
    Call inside a transaction holding the environment's row lock."""
    busy = environment.deployments.filter(status=Deployment.Status.DEPLOYING).first()
    if busy is not None and _stale(busy, run):
        _update(
            busy, actor=actor, via=via, status=Deployment.Status.FAILED,
            finished_at=timezone.now(),
            message="Abandoned: whoever was deploying it stopped before it finished.",
        )  # fmt: skip
        abandoned = busy
        transaction.on_commit(lambda: _stop(environment, abandoned))
        busy = None
    if busy is not None:
        return None, busy
    deployment = Deployment(
        environment=environment,
        kind=kind,
        run=run,
        artifact=artifact,
        artifact_digest=artifact.digest,
        commit_sha=commit,
        version=version,
        previous=environment.current,
        via=via,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    deployment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            deployment.save(force_insert=True)
    except IntegrityError:  # the constraint caught what the lock did not (no row locks)
        return None, environment.deployments.filter(status=Deployment.Status.DEPLOYING).first()
    record_change(
        actor=actor, via=via, action=ChangeRecord.Action.CREATE, obj=deployment,
        after=snapshot(deployment),
    )  # fmt: skip
    return deployment, None


def begin(pipeline: Pipeline, name: str, *, run: PipelineRun, actor, via: str, note) -> Deployment:
    """A run's deployment of its artifact to environment ``name``, waiting (up to
    ``KEEL_DELIVERY_DEPLOY_WAIT_SECONDS``) while another deployment there is in progress."""
    deadline = time.monotonic() + settings.KEEL_DELIVERY_DEPLOY_WAIT_SECONDS
    waiting_for = None
    while True:
        with transaction.atomic():
            Pipeline.objects.select_for_update().filter(pk=pipeline.pk).first()
            environments.ensure(pipeline, actor=actor, via=via)
            environment = (
                Environment.objects.select_for_update(of=("self",))
                .select_related("pipeline", "current")
                .get(pipeline=pipeline, name=name)
            )
            configure(environment, actor=actor, via=via)
            deployment, busy = claim(
                environment, kind=Deployment.Kind.DEPLOY, artifact=run.artifact, run=run,
                commit=run.commit_sha, version=f"{run.number}-{run.commit_sha[:7]}",
                actor=actor, via=via,
            )  # fmt: skip
        if deployment is not None:
            return deployment
        if busy.pk != waiting_for:
            waiting_for = busy.pk
            note(f"Waiting for deployment {busy.pk} to {name} to finish.")
        if time.monotonic() >= deadline:
            raise DeployFailed(
                f"Deployment {busy.pk} to {name} was still in progress after "
                f"{settings.KEEL_DELIVERY_DEPLOY_WAIT_SECONDS:g} s."
            )
        time.sleep(0.2)


def _result(deployment: Deployment, *, smoke: str, rolled_back_to=None) -> dict:
    return {
        "deployment": deployment.pk,
        "environment": deployment.environment.name,
        "digest": deployment.artifact_digest,
        "url": deployment.url,
        "smoke": smoke,
        "rolled_back_to": rolled_back_to,
    }


def carry_out(deployment: Deployment, *, actor, via: str, note) -> tuple[bool, dict, str]:
    """Deploy, check and settle ``deployment``; returns (live?, the stage result, why not)."""
    try:
        target = targets.for_environment(deployment.environment)
    except DeployFailed as error:
        settle(deployment, live=False, message=str(error), actor=actor, via=via)
        return False, _result(deployment, smoke="failed"), str(error)
    started = False
    try:
        details = target.start(deployment)
        started = True
        _update(deployment, actor=actor, via=via, url=details["url"], details=details)
        note(f"Started {deployment.kind} {deployment.pk} of sha256:{deployment.artifact_digest}"
             + (f" at {deployment.url}" if deployment.url else ""))  # fmt: skip
        target.ready(deployment)
        if deployment.url:
            healthy, seen = health.probe(deployment.url)
            if not healthy:
                raise DeployFailed(f"Smoke test failed: {seen}.")
            note(f"Smoke test passed: {seen}.")
    except DeployFailed as error:
        if started:
            target.stop(deployment)
        kept, why = restore_previous(deployment, target, actor=actor, via=via)
        message = f"{error} {why}"
        settle(deployment, live=False, message=message, actor=actor, via=via)
        note(message)
        return False, _result(deployment, smoke="failed", rolled_back_to=kept), message
    replaced = settle(deployment, live=True, message="", actor=actor, via=via)
    if replaced is not None:
        target.stop(replaced)
        note(f"Stopped deployment {replaced.pk}, which it replaced.")
    return True, _result(deployment, smoke="passed"), ""


def restore_previous(deployment: Deployment, target, *, actor, via: str) -> tuple[int | None, str]:
    """Keep the environment's last good release serving after ``deployment`` failed:
    (its id, a sentence saying what happened)."""
    name = deployment.environment.name
    current = (
        Environment.objects.filter(pk=deployment.environment_id)
        .values_list("current", flat=True)
        .first()
    )
    good = Deployment.objects.select_related("artifact", "environment__pipeline").filter(
        pk=current).first()  # fmt: skip
    if good is None:
        return None, f"{name} had no earlier release to roll back to."
    try:
        details = target.restore(good)
    except DeployFailed as error:
        return None, f"{name} could not be rolled back to deployment {good.pk}: {error}"
    if details is not None:
        _update(good, actor=actor, via=via, url=details["url"], details=details)
        return good.pk, f"{name} was rolled back to deployment {good.pk} (started again)."
    return good.pk, f"{name} was rolled back to deployment {good.pk}, which kept serving."


def settle(deployment: Deployment, *, live: bool, message: str, actor, via: str):
    """Record ``deployment``'s end; when live, make it the environment's current release and
    return the one it replaced (to be stopped by the caller once this has committed)."""
    with transaction.atomic():
        environment = Environment.objects.select_for_update().get(pk=deployment.environment_id)
        row = Deployment.objects.select_for_update().get(pk=deployment.pk)
        if row.status != Deployment.Status.DEPLOYING:  # a CD system's report settled it
            deployment.status, deployment.message = row.status, row.message
            return None
        status = Deployment.Status.LIVE if live else Deployment.Status.FAILED
        _update(row, actor=actor, via=via, status=status, message=message[:10_000],
                finished_at=timezone.now())  # fmt: skip
        deployment.status, deployment.message = row.status, row.message
        if not live:
            return None
        replaced = None
        if environment.current_id and environment.current_id != row.pk:
            replaced = Deployment.objects.select_for_update().get(pk=environment.current_id)
            _update(
                replaced, actor=actor, via=via,
                status=Deployment.Status.ROLLED_BACK
                if row.kind == Deployment.Kind.ROLLBACK
                else Deployment.Status.REPLACED,
            )  # fmt: skip
        _update(environment, actor=actor, via=via, current=row)
    return replaced


def supervise() -> list[int]:
    """Start again every live embedded release of this host whose process died; returns
    their ids. Each restart holds its environment's row lock, so two workers supervising at
    once start one process, and a deployment settling meanwhile waits and then stops it."""
    restarted = []
    serving = Environment.objects.filter(
        current__isnull=False, target=Environment.Target.EMBEDDED
    ).select_related("pipeline", "current")
    for environment in serving:
        target = targets.for_environment(environment)
        if target.alive(environment.current) is not False:
            continue
        with transaction.atomic():
            locked = Environment.objects.select_for_update().filter(pk=environment.pk).first()
            if locked is None or locked.current_id != environment.current_id:
                continue
            release = (
                Deployment.objects.select_for_update(of=("self",))
                .select_related("artifact")
                .get(pk=locked.current_id)
            )
            if target.alive(release) is not False:
                continue
            try:
                details = target.restore(release)
            except DeployFailed:
                log.warning("delivery: could not restart deployment %s", release.pk, exc_info=True)
                continue
            _update(release, actor=system_actor(), via=Interface.JOB, url=details["url"],
                    details={**details, "restarted_at": timezone.now().isoformat()})  # fmt: skip
            restarted.append(release.pk)
    return restarted
