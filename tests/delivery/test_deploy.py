"""Staging and production for real: the embedded target runs each release as a process on a
loopback port, health-checks it, stops the one it replaced, keeps the last good one when a
release fails, restarts a live one that died; the command target; the rollback action."""

import json
import urllib.request
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from delivery import actions, deployments, processes
from delivery.models import Deployment, Environment, PipelineRun, StageRun
from portal.models import ChangeRecord, Interface

from .conftest import app

pytestmark = pytest.mark.usefixtures("eager_celery")


def start(repository, member, capture):
    with capture(execute=True):
        run = actions.start_run(repository.pipeline, actor=member, via=Interface.API)
    run.refresh_from_db()
    return run


def get(url: str) -> str:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=5) as response:
        return response.read().decode()


def environment(repository, name) -> Environment:
    return Environment.objects.select_related("current").get(
        pipeline=repository.pipeline, name=name
    )


def history(obj):
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )


def running(deployment) -> bool:
    return processes.is_running(deployment.details["pid"], deployment.details["start_ticks"])


@pytest.fixture
def deployed(repository, member, django_capture_on_commit_callbacks):
    """The fixture repository's first commit, deployed to staging and production."""
    run = start(repository, member, django_capture_on_commit_callbacks)
    assert run.status == PipelineRun.Status.SUCCEEDED, run.message
    return run


def test_a_run_deploys_its_artifact_as_a_process_that_serves_on_loopback(deployed, repository):
    staging, production = environment(repository, "staging"), environment(repository, "production")
    for env in (staging, production):
        release = env.current
        assert release.status == Deployment.Status.LIVE and release.run == deployed
        assert release.artifact_digest == deployed.artifact.digest
        assert release.commit_sha == deployed.commit_sha and release.previous is None
        assert release.url == f"http://127.0.0.1:{release.details['port']}"
        assert release.details["command"] == "python -m orders" and running(release)
        assert get(release.url + "/") == "hello v1"
    assert staging.current.details["port"] != production.current.details["port"]
    stage = deployed.stages.get(name="staging")
    assert stage.result == {
        "deployment": staging.current.pk, "environment": "staging",
        "digest": deployed.artifact.digest, "url": staging.current.url, "smoke": "passed",
        "rolled_back_to": None,
    }  # fmt: skip
    # every write of a deployment and an environment is in the history
    records = history(staging.current)
    assert records.filter(action=ChangeRecord.Action.CREATE).count() == 1
    assert records.filter(action=ChangeRecord.Action.UPDATE).count() >= 2
    assert history(staging).filter(after__current=staging.current.pk).exists()


def test_a_new_release_replaces_the_old_one_whose_process_is_stopped(
    deployed, repository, member, django_capture_on_commit_callbacks
):
    old = environment(repository, "production").current
    repository.commit(app(message="hello v2"))

    run = start(repository, member, django_capture_on_commit_callbacks)

    assert run.status == PipelineRun.Status.SUCCEEDED, run.message
    new = environment(repository, "production").current
    assert new.run == run and new.previous == old and get(new.url + "/") == "hello v2"
    old.refresh_from_db()
    assert old.status == Deployment.Status.REPLACED
    assert not running(old) and processes.start_ticks(old.details["pid"]) is None  # no orphan


def test_a_release_that_fails_its_health_check_is_rolled_back_and_production_untouched(
    deployed, repository, member, django_capture_on_commit_callbacks
):
    good_staging = environment(repository, "staging").current
    good_production = environment(repository, "production").current
    repository.commit(app(message="broken", health=500))

    run = start(repository, member, django_capture_on_commit_callbacks)

    stages = {s.name: s for s in run.stages.all()}
    assert run.status == PipelineRun.Status.FAILED
    assert stages["staging"].status == StageRun.Status.FAILED
    assert stages["production"].status == StageRun.Status.SKIPPED
    failed = Deployment.objects.get(run=run)
    assert failed.status == Deployment.Status.FAILED
    assert "answered 500" in failed.message and "rolled back to deployment" in failed.message
    assert not running(failed)  # the failed release was stopped
    assert stages["staging"].result["smoke"] == "failed"
    assert stages["staging"].result["rolled_back_to"] == good_staging.pk
    # the last good release still serves staging; production never saw the run
    assert environment(repository, "staging").current == good_staging
    assert get(good_staging.url + "/") == "hello v1"
    assert environment(repository, "production").current == good_production
    assert not Deployment.objects.filter(environment__name="production", run=run).exists()


def test_a_failed_release_restarts_the_last_good_one_when_its_process_had_gone(
    deployed, repository, member, django_capture_on_commit_callbacks
):
    good = environment(repository, "staging").current
    processes.stop_group(good.details["pid"], good.details["start_ticks"], grace=1)
    repository.commit(app(health=500))

    run = start(repository, member, django_capture_on_commit_callbacks)

    assert run.status == PipelineRun.Status.FAILED
    good.refresh_from_db()
    assert good.details["restarts"] == 1 and running(good)
    assert get(good.url + "/") == "hello v1"
    assert "started again" in Deployment.objects.get(run=run).message


def test_supervision_restarts_a_live_release_whose_process_died(deployed, repository):
    release = environment(repository, "staging").current
    processes.stop_group(release.details["pid"], release.details["start_ticks"], grace=1)

    restarted = deployments.supervise()

    assert restarted == [release.pk]
    release.refresh_from_db()
    assert running(release) and release.details["restarts"] == 1
    assert release.url == f"http://127.0.0.1:{release.details['port']}"
    assert get(release.url + "/") == "hello v1"
    assert "restarted_at" in release.details
    assert deployments.supervise() == []  # alive now: nothing to do


def test_a_deploy_waits_for_the_one_in_progress_and_takes_over_an_abandoned_one(
    deployed, repository, member, settings, django_capture_on_commit_callbacks
):
    staging = environment(repository, "staging")
    # Given a rollback in progress in staging (a person's, so no run of this pipeline)
    busy = Deployment.objects.create(
        environment=staging, kind=Deployment.Kind.ROLLBACK, artifact=deployed.artifact,
        artifact_digest=deployed.artifact.digest,
    )  # fmt: skip
    settings.KEEL_DELIVERY_DEPLOY_WAIT_SECONDS = 0.5
    repository.commit(app(message="hello v3"))

    # a new run waits for it, then gives up
    waited = start(repository, member, django_capture_on_commit_callbacks)
    staging_stage = waited.stages.get(name="staging")
    assert waited.status == PipelineRun.Status.FAILED
    assert f"Waiting for deployment {busy.pk} to staging" in staging_stage.log
    assert "still in progress" in waited.message
    assert environment(repository, "staging").current == staging.current

    # When whoever was deploying it is long gone, the next run takes over
    Deployment.objects.filter(pk=busy.pk).update(created_at=busy.created_at - timedelta(hours=1))
    run = start(repository, member, django_capture_on_commit_callbacks)
    assert run.status == PipelineRun.Status.SUCCEEDED, run.message
    busy.refresh_from_db()
    assert busy.status == Deployment.Status.FAILED and "Abandoned" in busy.message
    assert get(environment(repository, "staging").current.url + "/") == "hello v3"


def test_the_command_target_hands_the_release_to_a_command(
    repository, member, django_capture_on_commit_callbacks, delivery_dirs
):
    script = (
        "import json, os, pathlib\n"
        "keys = ['DEPLOY_DIGEST', 'DEPLOY_ENVIRONMENT', 'DEPLOY_COMMIT', 'DEPLOY_KIND']\n"
        "pathlib.Path(os.environ['HOME'], 'handed.json').write_text(\n"
        "    json.dumps({k: os.environ[k] for k in keys}))\n"
        "assert pathlib.Path(os.environ['DEPLOY_ARTIFACT']).is_file()\n"
        "print('handed over')\n"
        "raise SystemExit(int(os.environ['DEPLOY_ENVIRONMENT'] == 'production'))\n"
    )
    commit = repository.commit({"deploy.py": script})
    # staging stays embedded (the bake watches its URL); production is handed to the command
    repository.pipeline.definition["spec"]["environments"] = {
        "production": {"target": "command", "command": "python deploy.py"}
    }
    repository.pipeline.save()

    run = start(repository, member, django_capture_on_commit_callbacks)

    production = environment(repository, "production")
    assert production.target == "command" and production.config == {"command": "python deploy.py"}
    assert environment(repository, "staging").target == "embedded"
    failed = Deployment.objects.get(environment__name="production")
    handed = json.loads((delivery_dirs / "releases" / str(failed.pk) / "handed.json").read_text())
    assert handed == {
        "DEPLOY_DIGEST": run.artifact.digest, "DEPLOY_ENVIRONMENT": "production",
        "DEPLOY_COMMIT": commit, "DEPLOY_KIND": "deploy",
    }  # fmt: skip
    # production's command exits 1: the deployment failed, nothing to roll back to
    assert run.status == PipelineRun.Status.FAILED
    assert failed.status == "failed" and "exit 1" in failed.message
    assert "handed over" in failed.message and "no earlier release" in failed.message
    assert production.current is None


def test_an_unknown_target_in_the_definition_fails_the_stage_readably(
    repository, member, django_capture_on_commit_callbacks
):
    repository.pipeline.definition["spec"]["environments"] = {"staging": {"target": "ftp"}}
    repository.pipeline.save()

    run = start(repository, member, django_capture_on_commit_callbacks)

    assert run.status == PipelineRun.Status.FAILED
    assert "spec.environments.staging.target is 'ftp'" in run.message
    assert not Deployment.objects.exists()


def test_rollback_redeploys_the_previous_good_release_for_the_team_only(
    deployed, repository, member, outsider, django_capture_on_commit_callbacks
):
    first = environment(repository, "production").current
    repository.commit(app(message="hello v2"))
    start(repository, member, django_capture_on_commit_callbacks)
    production = environment(repository, "production")
    second = production.current

    with pytest.raises(PermissionDenied):
        actions.rollback(production, actor=outsider, via=Interface.UI)
    assert environment(repository, "production").current == second

    rollback = actions.rollback(production, actor=member, via=Interface.UI)

    assert rollback.kind == Deployment.Kind.ROLLBACK and rollback.status == "live"
    assert rollback.artifact_digest == first.artifact_digest and rollback.actor == member
    assert rollback.previous == second and rollback.run is None
    assert environment(repository, "production").current == rollback
    assert get(rollback.url + "/") == "hello v1"
    second.refresh_from_db()
    assert second.status == Deployment.Status.ROLLED_BACK and not running(second)
    assert (
        history(rollback)
        .filter(action=ChangeRecord.Action.CREATE, actor=member, interface=Interface.UI)
        .exists()
    )
    # nothing older than the first release: a second rollback has nowhere to go
    with pytest.raises(ValidationError, match="no earlier good release"):
        actions.rollback(environment(repository, "production"), actor=member, via=Interface.UI)
