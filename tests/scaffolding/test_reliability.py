"""Idempotency, resumption, retries and compensation of scaffold runs (in process)."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog.factories import ServiceFactory
from catalog.models import Api, Service
from scaffolding import actions, runner, tasks
from scaffolding.models import Pipeline, ScaffoldRun
from scaffolding.providers import TransientError
from scaffolding.providers.local import LocalProvider, repositories_root

from .conftest import http_params

pytestmark = pytest.mark.usefixtures("eager_celery")


class Crash(BaseException):
    """Stands in for a worker dying mid-step: not an Exception, so nothing catches it."""


def submit(member, capture, **params):
    with capture(execute=True):
        run = actions.request_scaffold(
            actor=member,
            via="api",
            template="python-http-service",
            parameters=http_params(**params),
        )
    run.refresh_from_db()
    return run


def repositories():
    return sorted(p.name for p in repositories_root().iterdir() if not p.name.startswith("."))


def expire_lease(run):
    ScaffoldRun.objects.filter(pk=run.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_redelivered_task_for_a_finished_run_does_nothing(
    member, django_capture_on_commit_callbacks
):
    run = submit(member, django_capture_on_commit_callbacks)
    assert run.status == "succeeded"

    assert tasks.run_scaffold.delay(str(run.uuid)).get() == "skipped"

    run.refresh_from_db()
    assert run.attempts == 1
    assert Service.objects.count() == 1 and Pipeline.objects.count() == 1
    assert repositories() == ["orders.git"]


def test_a_task_for_a_run_held_by_a_live_worker_is_skipped(
    member, inject, django_capture_on_commit_callbacks
):
    # Given a run whose worker is in the middle of a step (its lease is current)
    seen = {}

    def second_delivery(run, step):
        if step == "push" and "outcome" not in seen:
            seen["outcome"] = tasks.run_scaffold.run(str(run.uuid))

    inject(second_delivery)
    run = submit(member, django_capture_on_commit_callbacks)

    # Then the duplicate delivery left it alone and the first one finished it
    assert seen["outcome"] == "skipped"
    assert run.status == "succeeded" and run.attempts == 1
    assert repositories() == ["orders.git"]


@pytest.mark.parametrize("crash_at", ["create_repository", "push", "create_pipeline", "register"])
def test_a_run_whose_worker_died_resumes_after_the_last_finished_step(
    member, inject, crash_at, django_capture_on_commit_callbacks
):
    # Given a worker that dies as it starts a step
    def die_once(run, step):
        if step == crash_at and run.attempts == 1:
            raise Crash

    inject(die_once)
    with pytest.raises(Crash):
        submit(member, django_capture_on_commit_callbacks)
    run = ScaffoldRun.objects.get()
    assert run.status == "running" and run.current_step == crash_at

    # When its lease runs out and the reaper sends it again
    expire_lease(run)
    with django_capture_on_commit_callbacks(execute=True):
        assert runner.reap_stalled_runs() == [str(run.uuid)]

    # Then it finished, with one of everything
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    assert run.attempts == 2
    assert (
        Service.objects.count() == 1 and Pipeline.objects.count() == 1 and Api.objects.count() == 1
    )
    assert repositories() == ["orders.git"]
    assert "resuming after the last finished step" in " ".join(
        run.log_entries.values_list("message", flat=True)
    )


def test_a_repository_created_before_a_crash_is_adopted_not_duplicated(
    member, inject, django_capture_on_commit_callbacks
):
    # Given a crash after the repository was created but before the run recorded it
    def create_then_die(run, step):
        if step == "create_repository" and run.attempts == 1:
            LocalProvider().create(run.slug, run_id=str(run.uuid), description="x")
            raise Crash

    inject(create_then_die)
    with pytest.raises(Crash):
        submit(member, django_capture_on_commit_callbacks)
    run = ScaffoldRun.objects.get()
    assert not run.repository_id

    expire_lease(run)
    with django_capture_on_commit_callbacks(execute=True):
        runner.reap_stalled_runs()

    run.refresh_from_db()
    assert run.status == "succeeded" and run.repository_id == "orders"
    assert repositories() == ["orders.git"]


def test_a_run_that_keeps_losing_its_worker_is_reported_failed_and_undone(
    member, inject, settings, django_capture_on_commit_callbacks
):
    settings.KEEL_SCAFFOLD_MAX_ATTEMPTS = 2

    def always_die(run, step):
        if step == "register":
            raise Crash

    inject(always_die)
    with pytest.raises(Crash):
        submit(member, django_capture_on_commit_callbacks)
    run = ScaffoldRun.objects.get()
    expire_lease(run)  # the second attempt dies too
    with pytest.raises(Crash), django_capture_on_commit_callbacks(execute=True):
        runner.reap_stalled_runs()
    expire_lease(run)
    runner.reap_stalled_runs()

    run.refresh_from_db()
    assert run.status == "failed"
    assert "The worker stopped during step register 2 times" in run.error
    assert repositories() == [] and not Pipeline.objects.exists() and not Service.objects.exists()


@pytest.mark.parametrize("failing_step", ["render", "push", "create_pipeline", "register"])
def test_a_step_that_fails_for_good_undoes_what_earlier_steps_created(
    member, inject, failing_step, django_capture_on_commit_callbacks
):
    def fail(run, step):
        if step == failing_step:
            raise RuntimeError("disk full")

    inject(fail)
    run = submit(member, django_capture_on_commit_callbacks)

    assert run.status == "failed"
    assert run.error == f"Step {failing_step} failed unexpectedly: disk full"
    assert repositories() == []
    assert (
        not Service.objects.exists() and not Pipeline.objects.exists() and not Api.objects.exists()
    )
    statuses = dict(run.steps.values_list("name", "status"))
    assert statuses[failing_step] == "failed"
    assert statuses["validate"] == "undone"
    # the name is free again: a new request may use it
    assert actions.check_name_is_free("orders") is None


def test_a_failure_after_registration_removes_the_service_again(
    member, inject, django_capture_on_commit_callbacks, monkeypatch
):
    # Given the registration itself fails after the service row was written
    original = runner.step_register

    def register_then_fail(ctx):
        original(ctx)
        raise runner.StepFailed("The catalog refused the API.")

    monkeypatch.setitem(runner.STEP_FUNCTIONS, "register", register_then_fail)
    run = submit(member, django_capture_on_commit_callbacks)

    assert run.status == "failed" and run.error == "The catalog refused the API."
    assert not Service.objects.exists() and repositories() == []


def test_a_repository_someone_else_made_meanwhile_fails_the_run_and_is_kept(
    member, inject, django_capture_on_commit_callbacks
):
    def someone_else(run, step):
        if step == "create_repository":
            LocalProvider().create(
                "orders", run_id="00000000-0000-0000-0000-000000000000", description="theirs"
            )

    inject(someone_else)
    run = submit(member, django_capture_on_commit_callbacks)

    assert run.status == "failed"
    assert run.error == "A repository named orders already exists; choose another name."
    assert repositories() == ["orders.git"]  # theirs, untouched


def test_a_transient_error_is_retried_and_the_run_succeeds(
    member, inject, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []

    def flaky(run, step):
        if step == "push" and not calls:
            calls.append(step)
            raise TransientError("The git host answered 503.")

    inject(flaky)
    monkeypatch.setattr(tasks.run_scaffold, "retry", _inline_retry)
    with pytest.raises(RetryDone):
        submit(member, django_capture_on_commit_callbacks)
    run = ScaffoldRun.objects.get()

    assert run.status == "succeeded", run.error
    assert run.attempts == 2
    log = " ".join(run.log_entries.values_list("message", flat=True))
    delay = float(re.search(r"The git host answered 503\. Retrying in ([\d.]+) s\.", log)[1])
    assert 1 <= delay <= 2  # the first backoff, with jitter
    assert run.steps.get(name="push").retries == 1


def _inline_retry(exc=None, countdown=None, **kwargs):
    # Celery's eager retry re-runs the task at once; keep the test free of its timing.
    from scaffolding.models import ScaffoldRun

    run = ScaffoldRun.objects.filter(status="pending").get()
    tasks.run_scaffold.run(str(run.uuid))
    return RetryDone()


class RetryDone(Exception):
    pass


def test_an_existing_service_or_repository_is_refused_before_anything_is_created(member):
    ServiceFactory(slug="orders")
    with pytest.raises(ValidationError) as refused:
        actions.request_scaffold(
            actor=member, via="ui", template="python-http-service", parameters=http_params()
        )
    assert refused.value.message_dict == {
        "slug": ["A service named orders already exists in the catalog."]
    }

    LocalProvider().create("billing", run_id="00000000-0000-0000-0000-000000000000", description="")
    with pytest.raises(ValidationError) as refused:
        actions.request_scaffold(
            actor=member,
            via="ui",
            template="python-http-service",
            parameters=http_params(slug="billing"),
        )
    assert refused.value.message_dict == {
        "slug": ["A repository named billing already exists; choose another name."]
    }
    assert not ScaffoldRun.objects.exists()


def test_a_double_submit_returns_the_same_run_and_another_request_for_the_name_is_refused(
    member, lead
):
    first = actions.request_scaffold(
        actor=member, via="ui", template="python-http-service", parameters=http_params()
    )
    again = actions.request_scaffold(
        actor=member, via="ui", template="python-http-service", parameters=http_params()
    )
    assert again.pk == first.pk

    with pytest.raises(ValidationError) as refused:
        actions.request_scaffold(
            actor=lead,
            via="ui",
            template="python-worker",
            parameters={**http_params(), "queue_name": "q"},
        )
    assert refused.value.message_dict == {
        "slug": ["A service named orders is already being created; see its run."]
    }
    assert ScaffoldRun.objects.count() == 1


def test_only_members_of_the_owner_team_may_ask(outsider, team):
    with pytest.raises(ValidationError) as refused:
        actions.request_scaffold(
            actor=outsider, via="ui", template="python-http-service", parameters=http_params()
        )
    assert refused.value.message_dict == {"owner_team": ["Choose a team you are a member of."]}


def test_a_run_whose_message_was_lost_is_sent_again(
    member, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    # Given the broker was down when the run was enqueued
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.run_scaffold, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        run = actions.request_scaffold(
            actor=member, via="ui", template="python-http-service", parameters=http_params()
        )
    run.refresh_from_db()
    assert run.status == "pending"
    monkeypatch.undo()

    # When the reaper looks after a lease and the longest backoff
    wait = settings.KEEL_SCAFFOLD_LEASE_SECONDS + settings.KEEL_SCAFFOLD_RETRY_MAX_SECONDS
    assert runner.reap_stalled_runs(now=timezone.now() + timedelta(seconds=wait - 5)) == []
    later = timezone.now() + timedelta(seconds=wait + 1)
    assert runner.reap_stalled_runs(now=later) == [str(run.uuid)]

    # Then it was sent again and finished
    run.refresh_from_db()
    assert run.status == "succeeded", run.error


def test_a_step_stopped_by_the_time_limit_fails_readably_and_is_undone(
    member, inject, django_capture_on_commit_callbacks
):
    from celery.exceptions import SoftTimeLimitExceeded

    def too_slow(run, step):
        if step == "create_pipeline":
            raise SoftTimeLimitExceeded()

    inject(too_slow)
    run = submit(member, django_capture_on_commit_callbacks)

    assert run.status == "failed"
    assert run.error.startswith("Step create_pipeline took longer than 300 s and was stopped")
    assert repositories() == [] and not Pipeline.objects.exists()


def test_a_deleted_service_frees_its_name_but_its_repository_still_holds_it(
    member, django_capture_on_commit_callbacks
):
    from catalog import actions as catalog_actions
    from portal.audit import system_actor

    run = submit(member, django_capture_on_commit_callbacks)
    catalog_actions.delete_service(run.service, actor=system_actor(), via="admin")

    with pytest.raises(ValidationError) as refused:
        actions.request_scaffold(
            actor=member, via="ui", template="python-http-service", parameters=http_params()
        )
    assert refused.value.message_dict == {
        "slug": ["A repository named orders already exists; choose another name."]
    }

    LocalProvider().delete("orders", run_id=str(run.uuid))
    again = submit(member, django_capture_on_commit_callbacks)
    assert again.status == "succeeded" and again.pk != run.pk
