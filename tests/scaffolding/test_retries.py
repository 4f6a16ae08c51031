"""Retries, limits and recovery of scaffold runs (issue 8, points 17 and 18): per-step retry
budgets with jittered backoff, a git host's 5xx during push retried, messages that leave the
time limits to the worker, the lease heartbeat and the worker's own reaper timer."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone
from dulwich.client import HTTPUnauthorized
from dulwich.errors import GitProtocolError, HangupException

from portal.celery import app as celery_app
from scaffolding import actions, runner, tasks, worker
from scaffolding.gitops import push_error
from scaffolding.models import ScaffoldRun
from scaffolding.providers import HostingError, TransientError
from scaffolding.providers.base import RepositoryInfo
from scaffolding.providers.github import GitHubProvider

from .conftest import http_params


def submit(member, capture):
    with capture(execute=True):
        actions.request_scaffold(
            actor=member, via="api", template="python-http-service", parameters=http_params()
        )
    return ScaffoldRun.objects.get()


@pytest.fixture
def inline_retries(monkeypatch):
    """Celery's retry, run at once: the countdowns asked for are kept to look at."""
    countdowns = []

    def retry(exc=None, countdown=None, **options):
        countdowns.append((countdown, options))
        run = ScaffoldRun.objects.get(status="pending")
        tasks.run_scaffold.run(str(run.uuid))
        return Retried()

    monkeypatch.setattr(tasks.run_scaffold, "retry", retry)
    return countdowns


class Retried(Exception):
    pass


def failing(times: dict):
    """A hook that raises a transient error at each named step the given number of times."""

    def hook(run, step):
        if times.get(step, 0) > 0:
            times[step] -= 1
            raise TransientError(f"The git host answered 503 during {step}.")

    return hook


@pytest.mark.usefixtures("eager_celery")
def test_each_step_has_its_own_retry_budget(
    member, inject, inline_retries, settings, django_capture_on_commit_callbacks
):
    # Given two steps that each fail transiently as often as one budget allows
    settings.KEEL_SCAFFOLD_STEP_RETRIES = 2
    inject(failing({"create_repository": 2, "push": 2}))

    with pytest.raises(Retried):
        run = submit(member, django_capture_on_commit_callbacks)
    run = ScaffoldRun.objects.get()

    # Then the run succeeds: four retries in all, two charged to each step
    assert run.status == "succeeded", run.error
    assert {s.name: s.retries for s in run.steps.all() if s.retries} == {
        "create_repository": 2,
        "push": 2,
    }
    assert len(inline_retries) == 4
    # And each retry is sent without per-message time limits
    assert all(o == {"time_limit": None, "soft_time_limit": None} for _, o in inline_retries)


@pytest.mark.usefixtures("eager_celery")
def test_a_step_that_spends_its_budget_fails_the_run_and_undoes_it(
    member, inject, inline_retries, settings, django_capture_on_commit_callbacks
):
    settings.KEEL_SCAFFOLD_STEP_RETRIES = 2
    inject(failing({"push": 3}))

    with pytest.raises(Retried):
        submit(member, django_capture_on_commit_callbacks)
    run = ScaffoldRun.objects.get()

    assert run.status == "failed"
    assert run.error.startswith(
        "The git host answered 503 during push. Gave up after 3 tries of step push"
    )
    assert run.steps.get(name="create_repository").status == "undone"


def test_backoff_grows_exponentially_to_the_cap_with_jitter(settings, monkeypatch):
    settings.KEEL_SCAFFOLD_RETRY_BASE_SECONDS = 2
    settings.KEEL_SCAFFOLD_RETRY_MAX_SECONDS = 60
    bounds = []
    monkeypatch.setattr(
        runner.random, "uniform", lambda low, high: bounds.append((low, high)) or high
    )

    assert [runner.backoff(retries) for retries in range(7)] == [2, 4, 8, 16, 32, 60, 60]
    assert bounds == [(1, 2), (2, 4), (4, 8), (8, 16), (16, 32), (30, 60), (30, 60)]


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (GitProtocolError("unexpected http resp 500 for https://h/x.git/git-receive-pack"), TransientError),
        (GitProtocolError("unexpected http resp 503 for https://h/x.git/info/refs"), TransientError),
        (GitProtocolError("unexpected http resp 429 for https://h/x.git/info/refs"), TransientError),
        (GitProtocolError("Connection reset by peer"), TransientError),
        (HangupException(), TransientError),
        (ConnectionResetError("reset"), TransientError),
        (GitProtocolError("unexpected http resp 403 for https://h/x.git/info/refs"), HostingError),
        (HTTPUnauthorized("Basic", "https://h/x.git"), HostingError),
        (PermissionError("read-only file system"), HostingError),
    ],
)  # fmt: skip
def test_push_errors_are_sorted_into_retry_or_refusal(error, kind):
    assert isinstance(push_error(error, "https://h/x"), kind)


def test_a_git_host_500_during_push_is_a_transient_error(monkeypatch, tmp_path):
    # Given a git host that answers 500 to the push
    def host_500(*args, **kwargs):
        raise GitProtocolError("unexpected http resp 500 for https://github.com/acme/orders.git")

    monkeypatch.setattr("scaffolding.providers.hosted.push_folder", host_500)
    provider = GitHubProvider(transport=object(), token="t", org="acme", api_url="https://x")
    info = RepositoryInfo(
        "7", "https://github.com/acme/orders.git", "https://github.com/acme/orders"
    )

    # Then the push step is retried, not failed
    with pytest.raises(TransientError, match="500"):
        provider.push(info, tmp_path, message="m", author=b"A <a@b>")


def test_a_scaffold_message_carries_no_time_limits_of_the_sending_process(monkeypatch):
    # The worker's own limits (its KEEL_SCAFFOLD_TIME_LIMIT) apply only if the message has none.
    sent = []
    monkeypatch.setattr(
        celery_app.amqp,
        "send_task_message",
        lambda producer, name, message, **kw: sent.append(message),
    )

    actions.enqueue("6f1d3c9e-2b7a-4d0e-9a51-3f4c2e8b7d10")
    worker.StalledRunReaper.send()

    assert [m.headers["task"] for m in sent] == [
        "scaffolding.run_scaffold",
        "scaffolding.reap_stalled_runs",
    ]
    assert [m.headers["timelimit"] for m in sent] == [[None, None], [None, None]]


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_renews_the_lease_of_a_long_step(member, team, settings, monkeypatch):
    # Given a running run whose lease is about to run out, and a fast heartbeat
    settings.KEEL_SCAFFOLD_HEARTBEAT_SECONDS = 0.01
    run = ScaffoldRun.objects.create(
        slug="orders", template="python-http-service", template_version="1.2.0",
        owner_team=team, requested_by=member, status="running", attempts=1,
        lease_expires_at=timezone.now() + timedelta(seconds=1),
    )  # fmt: skip
    first = run.lease_expires_at
    beats, beaten = [], threading.Event()
    renew = runner.renew_lease

    def counted(run):
        beats.append(renew(run))
        beaten.set()
        return beats[-1]

    monkeypatch.setattr(runner, "renew_lease", counted)

    # When a step works inside the heartbeat (and does nothing itself)
    with runner.heartbeat(run):
        assert beaten.wait(timeout=5), "the heartbeat never beat"

    # Then the lease moved on
    assert beats[0] is True
    assert ScaffoldRun.objects.get(pk=run.pk).lease_expires_at > first

    # And an old worker's heartbeat does not renew a newer attempt's claim
    ScaffoldRun.objects.filter(pk=run.pk).update(attempts=2, lease_expires_at=first)
    beats.clear()
    beaten.clear()
    with runner.heartbeat(run):
        assert beaten.wait(timeout=5)
    assert beats[0] is False
    assert ScaffoldRun.objects.get(pk=run.pk).lease_expires_at == first


def test_every_worker_reaps_on_its_own_timer(settings, monkeypatch):
    # Given a worker starting, with no beat anywhere
    settings.KEEL_SCAFFOLD_REAP_SECONDS = 7
    sent, timer = [], []
    monkeypatch.setattr("portal.tasks.send", lambda task, *args, **kw: sent.append(task.name))

    class Timer:
        def call_repeatedly(self, seconds, fun, priority=0):
            timer.append((seconds, fun))
            return type("Ref", (), {"cancel": lambda self: timer.clear()})()

    step = worker.StalledRunReaper(type("Worker", (), {})())
    fake = type("Worker", (), {"timer": Timer()})()

    # When the bootstep starts, it reaps once and then every KEEL_SCAFFOLD_REAP_SECONDS
    step.start(fake)
    assert sent == ["scaffolding.reap_stalled_runs"]
    assert timer[0][0] == 7
    timer[0][1]()
    assert sent == ["scaffolding.reap_stalled_runs"] * 2
    step.stop(fake)
    assert timer == []
    assert "scaffolding.worker.StalledRunReaper" in celery_app.steps["worker"]
