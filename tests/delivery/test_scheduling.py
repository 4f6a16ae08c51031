"""Starting runs (permission, pushes, superseding) and recovering a stage whose worker died."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.factories import ApiTokenFactory
from delivery import actions, scheduling
from delivery.models import PipelineRun, StageRun
from portal.audit import history_for
from portal.models import ChangeRecord, Interface
from teams.models import Team
from tests.scaffolding.test_git_http import git

from .conftest import PASSING_TEST


def test_a_member_starts_a_run_of_mains_head_with_its_change_record(repository, member):
    head = repository.commit({"README.md": "head\n"})

    run = actions.start_run(repository.pipeline, actor=member, via=Interface.API)

    assert run.number == 1 and run.status == PipelineRun.Status.QUEUED
    assert run.trigger == PipelineRun.Trigger.MANUAL and run.started_by == member
    assert run.commit_sha == head
    assert [(s.name, s.status) for s in run.stages.all()] == [
        ("build", "pending"), ("package", "pending"), ("staging", "pending"),
        ("bake", "pending"), ("production", "pending"),
    ]  # fmt: skip
    record = history_for(run).get()
    assert (record.action, record.interface, record.actor) == (
        ChangeRecord.Action.CREATE, Interface.API, member,
    )  # fmt: skip


def test_someone_outside_the_owning_team_is_refused(repository, outsider):
    with pytest.raises(PermissionDenied, match="Only members of team payments"):
        actions.start_run(repository.pipeline, actor=outsider, via=Interface.UI)
    assert not PipelineRun.objects.exists()


def test_permission_is_decided_on_the_stored_row_not_the_callers_copy(repository, outsider):
    """A caller holding a stale copy that names the outsider's team is still refused: the
    action reads the pipeline again under its lock."""
    stale = repository.pipeline
    stale.owner_team = Team.objects.get(slug="search")

    with pytest.raises(PermissionDenied):
        actions.start_run(stale, actor=outsider, via=Interface.UI)
    assert not PipelineRun.objects.exists()


def test_an_unknown_commit_is_a_field_error(repository, member):
    with pytest.raises(ValidationError) as refused:
        actions.start_run(repository.pipeline, actor=member, via=Interface.API, commit="f" * 40)
    assert "is not a commit of this repository" in refused.value.message_dict["commit"][0]


def test_a_pipeline_not_hosted_by_keel_is_refused(repository, member):
    repository.pipeline.repository_url = "https://github.com/acme/orders.git"
    repository.pipeline.save()
    with pytest.raises(ValidationError, match="builds repositories Keel hosts"):
        actions.start_run(repository.pipeline, actor=member, via=Interface.API)


def test_a_newer_request_supersedes_the_waiting_run_and_the_same_commit_joins_it(
    repository, member
):
    # A run is running, so requests wait (nothing is sent to a worker here).
    running = actions.start_run(repository.pipeline, actor=member, via=Interface.API)
    PipelineRun.objects.filter(pk=running.pk).update(status=PipelineRun.Status.RUNNING)
    waiting = actions.start_run(repository.pipeline, actor=member, via=Interface.API)
    again = actions.start_run(repository.pipeline, actor=member, via=Interface.API)
    newer_commit = repository.commit({"README.md": "newer\n"})

    newer = actions.start_run(repository.pipeline, actor=member, via=Interface.API)

    assert again.pk == waiting.pk
    waiting.refresh_from_db()
    assert waiting.status == PipelineRun.Status.SUPERSEDED
    assert "Superseded by run 3" in waiting.message
    assert set(waiting.stages.values_list("status", flat=True)) == {"skipped"}
    assert (newer.number, newer.status, newer.commit_sha) == (3, "queued", newer_commit)
    assert PipelineRun.objects.filter(status="running").get() == running


def test_a_second_waiting_or_running_run_is_refused_by_the_database(repository, member):
    from django.db import IntegrityError, transaction

    first = actions.start_run(repository.pipeline, actor=member, via=Interface.API)
    with pytest.raises(IntegrityError), transaction.atomic():
        PipelineRun.objects.create(
            pipeline=repository.pipeline, number=2, trigger="manual", commit_sha=first.commit_sha
        )


@pytest.mark.django_db(transaction=True)
def test_a_push_to_main_starts_a_run_that_builds_the_pushed_commit(
    live_server, repository, member, tmp_path, eager_celery
):
    from catalog.factories import ServiceFactory

    ServiceFactory(slug="orders", owner_team=Team.objects.get(slug="payments"))
    token = ApiTokenFactory(user=member, scope="write")
    host = live_server.url.removeprefix("http://")
    folder = tmp_path / "clone"
    assert git("clone", f"http://{member.username}:{token.key}@{host}/git/orders.git",
               str(folder)).returncode == 0  # fmt: skip
    (folder / "tests" / "test_more.py").write_text(PASSING_TEST.replace("Works", "More"))
    git("add", ".", cwd=folder)
    git("-c", "user.name=A", "-c", "user.email=a@x.org", "commit", "-qm", "more", cwd=folder)

    pushed = git("push", "origin", "main", cwd=folder)

    assert pushed.returncode == 0, pushed.stderr
    head = git("rev-parse", "HEAD", cwd=folder).stdout.strip()
    run = PipelineRun.objects.get()
    assert (run.trigger, run.commit_sha, run.via) == ("push", head, Interface.JOB)
    assert run.started_by == member  # the person who pushed, not Keel's own account
    assert run.status == PipelineRun.Status.SUCCEEDED, run.stages.get(name="build").log
    assert "Ran 2 tests" in run.stages.get(name="build").log


def test_a_push_to_another_branch_or_repository_starts_nothing(repository):
    scheduling.run_pushed_commit(None, slug="orders", ref="refs/heads/topic", commit="a" * 40)
    scheduling.run_pushed_commit(None, slug="unknown", ref="refs/heads/main", commit="a" * 40)
    assert not PipelineRun.objects.exists()


def _stalled(repository, member, *, attempts):
    run = actions.start_run(repository.pipeline, actor=member, via=Interface.API)
    PipelineRun.objects.filter(pk=run.pk).update(
        status=PipelineRun.Status.RUNNING, started_at=timezone.now(),
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )  # fmt: skip
    run.stages.filter(name="build").update(
        status=StageRun.Status.RUNNING, attempts=attempts, log="halfway\n"
    )
    return run


def test_a_stage_whose_worker_died_is_run_again(
    repository, member, eager_celery, django_capture_on_commit_callbacks
):
    run = _stalled(repository, member, attempts=1)

    with django_capture_on_commit_callbacks(execute=True):
        handled = scheduling.reap()

    build = run.stages.get(name="build")
    assert handled["retried"] == [build.pk]
    run.refresh_from_db()
    assert run.status == PipelineRun.Status.SUCCEEDED
    assert build.status == StageRun.Status.SUCCEEDED and build.attempts == 2
    assert build.log.startswith("halfway\n\n[attempt 1: the worker running this stage stopped]")
    assert "Ran 1 test" in build.log


def test_a_stage_whose_worker_died_too_often_fails_the_run(repository, member, settings):
    settings.KEEL_DELIVERY_MAX_ATTEMPTS = 2
    run = _stalled(repository, member, attempts=2)

    handled = scheduling.reap()

    build = run.stages.get(name="build")
    run.refresh_from_db()
    assert handled["failed"] == [build.pk]
    assert run.status == PipelineRun.Status.FAILED and "stopped 2 times" in run.message
    assert (
        build.status == StageRun.Status.FAILED and "worker running this stage stopped" in build.log
    )
    assert run.stages.get(name="package").status == StageRun.Status.SKIPPED
    assert not PipelineRun.objects.filter(status="running").exists()


def test_a_live_lease_is_left_alone(repository, member):
    run = _stalled(repository, member, attempts=1)
    PipelineRun.objects.filter(pk=run.pk).update(
        lease_expires_at=timezone.now() + timedelta(seconds=30)
    )
    assert scheduling.reap() == {
        "retried": [],
        "failed": [],
        "resent": [],
        "started": [],
        "silent": [],
    }
    assert run.stages.get(name="build").status == StageRun.Status.RUNNING


def test_a_delivered_twice_stage_runs_once(repository, member):
    run = actions.start_run(repository.pipeline, actor=member, via=Interface.API)
    PipelineRun.objects.filter(pk=run.pk).update(status=PipelineRun.Status.RUNNING)
    build = run.stages.get(name="build")

    assert scheduling.claim(build.pk) is not None
    assert scheduling.claim(build.pk) is None


def test_a_lost_message_between_stages_is_sent_again(
    repository, member, eager_celery, django_capture_on_commit_callbacks
):
    run = _stalled(repository, member, attempts=1)
    run.stages.filter(name="build").update(status=StageRun.Status.SUCCEEDED)  # package lost

    with django_capture_on_commit_callbacks(execute=True):
        handled = scheduling.reap()

    package = run.stages.get(name="package")
    assert handled["resent"] == [package.pk]
    run.refresh_from_db()
    assert run.status == PipelineRun.Status.SUCCEEDED and run.artifact is not None
    assert "No build folder on this worker" in package.log  # prepared again, then packaged


def test_a_waiting_run_nobody_started_is_started(
    repository, member, eager_celery, django_capture_on_commit_callbacks
):
    run = actions.start_run(repository.pipeline, actor=member, via=Interface.API)  # not sent
    PipelineRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(minutes=5))

    with django_capture_on_commit_callbacks(execute=True):
        handled = scheduling.reap()

    run.refresh_from_db()
    assert handled["started"] == [run.pk] and run.status == PipelineRun.Status.SUCCEEDED
