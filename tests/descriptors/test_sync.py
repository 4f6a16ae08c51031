"""Keeping locations in sync: coalesced requests, retries of sources that may come back,
reads whose worker died, and the schedule (tasks run eagerly here; the service tier runs
them on a real worker)."""

import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from descriptors import actions, importing, syncing
from descriptors.git_checkout import SourceUnavailable
from descriptors.models import ImportRun, Location
from portal.models import Interface
from teams.models import Team
from tests.scaffolding.conftest import eager_celery  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("eager_celery")


@pytest.fixture
def eager_retries(eager_celery):  # noqa: F811 - the fixture imported above
    """Celery's eager mode runs a retry at once, without its countdown, unless it propagates
    the retry as an error."""
    from portal.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


GROUP = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: %s}\nspec: {type: team, children: []}\n"


@pytest.fixture
def location(staff, tmp_path):
    (tmp_path / "catalog-info.yaml").write_text(GROUP % "payments")
    return actions.create_location(
        actor=staff, via=Interface.API, slug="platform", name="Platform",
        type=Location.Type.PATH, target=str(tmp_path),
    )  # fmt: skip


@pytest.fixture
def reads(monkeypatch):
    """Count the reads, and run ``during[0]`` inside the first (or raise what it says)."""
    real, calls, during = importing.read, [], []

    def read(location):
        calls.append(location.slug)
        if during:
            action = during.pop(0)
            if isinstance(action, Exception):
                raise action
            action()
        return real(location)

    monkeypatch.setattr(importing, "read", read)
    return calls, during


def test_a_requested_sync_reads_the_location_as_its_requester(
    location, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queued = syncing.request_sync(location, trigger=ImportRun.Trigger.MANUAL, actor=staff)
        assert queued.status == ImportRun.Status.QUEUED

    queued.refresh_from_db()
    assert (queued.status, queued.created, queued.started_by) == ("succeeded", 1, staff)
    assert Team.objects.filter(slug="payments").exists()


def test_requests_during_a_read_give_one_follow_up_read(
    location, staff, reads, django_capture_on_commit_callbacks
):
    # Given three pushes arriving while the first read runs
    calls, during = reads
    during.append(
        lambda: [syncing.request_sync(location, trigger=ImportRun.Trigger.PUSH) for _ in range(3)]
    )

    with django_capture_on_commit_callbacks(execute=True):
        syncing.request_sync(location, trigger=ImportRun.Trigger.MANUAL, actor=staff)

    # Then they joined one queued run, read after the first ended
    runs = list(location.runs.order_by("id").values_list("trigger", "status"))
    assert runs == [("manual", "succeeded"), ("push", "succeeded")]
    assert calls == ["platform", "platform"]


def test_a_run_is_not_started_while_another_read_of_its_location_runs(location):
    ImportRun.objects.create(
        location=location,
        trigger="manual",
        status="running",
        lease_expires_at=syncing.lease_until(),
    )
    queued, new = syncing.queue_run(location.pk, trigger="push")

    assert new and syncing.claim(queued.pk) is None
    queued.refresh_from_db()
    assert queued.status == ImportRun.Status.QUEUED


def test_a_run_delivered_twice_is_read_once(location, reads):
    calls, _ = reads
    queued, _ = syncing.queue_run(location.pk, trigger="push")
    from descriptors.tasks import sync_location

    first = sync_location.delay(location.pk, "push", queued.pk).get()
    again = sync_location.delay(location.pk, "push", queued.pk).get()

    assert (first, again, calls) == ("succeeded", "skipped", ["platform"])


def test_an_unavailable_source_is_retried_honouring_retry_after(
    location, reads, monkeypatch, eager_retries
):
    # Given a host that is rate limited once, then unreachable, then answers
    calls, during = reads
    during += [
        SourceUnavailable("GitHub's rate limit is used up.", retry_after=42),
        SourceUnavailable("Could not connect."),
    ]
    countdowns = []
    release = syncing.release_for_retry
    monkeypatch.setattr(
        syncing,
        "release_for_retry",
        lambda run, error, retries: (
            countdowns.append(release(run, error, retries)) or countdowns[-1]
        ),
    )
    from descriptors.tasks import sync_location

    result = sync_location.delay(location.pk, "schedule").get()

    # Then the same run was retried, first after the host's wait, then with backoff
    assert result == "succeeded" and len(calls) == 3
    assert countdowns[0] == 42 and 1 <= countdowns[1] <= 4
    assert list(location.runs.values_list("status", flat=True)) == ["succeeded"]


def test_a_source_that_stays_unavailable_fails_the_run_after_the_retries(
    location, reads, settings, eager_retries
):
    settings.KEEL_CATALOG_SYNC_RETRIES = 2
    _, during = reads
    during += [SourceUnavailable("Could not connect.") for _ in range(3)]
    from descriptors.tasks import sync_location

    assert sync_location.delay(location.pk, "schedule").get() == "failed"

    run = location.runs.get()
    assert "Could not connect. Gave up after 3 tries" in run.message


def test_a_read_as_a_creator_who_may_no_longer_write_fails_with_the_reason(db, member, team):
    location = actions.create_location(
        actor=member, via=Interface.API, slug="team-loc", name="t", owner_team=team,
        type=Location.Type.UPLOAD, content=GROUP % "payments",
    )  # fmt: skip
    member.memberships.all().delete()
    queued, _ = syncing.queue_run(location.pk, trigger="schedule")
    from descriptors.tasks import sync_location

    assert sync_location.delay(location.pk, "schedule", queued.pk).get() == "failed"
    queued.refresh_from_db()
    assert f"reading as {member.username}" in queued.message


def test_a_read_whose_worker_died_is_failed_and_its_follow_up_sent(
    location, django_capture_on_commit_callbacks
):
    # Given a read whose lease ran out (its worker was killed) and a push waiting for it
    dead = ImportRun.objects.create(
        location=location, trigger="manual", status="running",
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )  # fmt: skip
    waiting, _ = syncing.queue_run(location.pk, trigger="push")

    with django_capture_on_commit_callbacks(execute=True):
        done = syncing.tick()

    dead.refresh_from_db()
    waiting.refresh_from_db()
    assert done["failed"] == [dead.pk]
    assert dead.status == "failed" and "stopped before it finished" in dead.message
    assert waiting.status == "succeeded"


def test_a_live_read_and_one_started_by_a_command_are_left_alone(location):
    live = ImportRun.objects.create(
        location=location,
        trigger="manual",
        status="running",
        lease_expires_at=syncing.lease_until(),
    )
    command = ImportRun.objects.create(
        location=location, trigger="cli", status="running", started_at=timezone.now()
    )

    assert syncing.reap(timezone.now()) == []
    later = timezone.now() + timedelta(seconds=901)
    assert set(syncing.reap(later)) == {live.pk, command.pk}


def test_a_queued_run_whose_message_was_lost_is_sent_again(location):
    lost, _ = syncing.queue_run(location.pk, trigger="push")
    ImportRun.objects.filter(pk=lost.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert syncing.resend_forgotten(timezone.now()) == [lost.pk]
    lost.refresh_from_db()
    assert lost.status == "succeeded"


def test_locations_are_read_on_the_schedule_once_per_interval(
    location, staff, settings, django_capture_on_commit_callbacks
):
    settings.KEEL_CATALOG_SYNC_SECONDS = 1800
    actions.create_location(
        actor=staff, via=Interface.API, slug="pasted", name="p",
        type=Location.Type.UPLOAD, content=GROUP % "search",
    )  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        first = syncing.tick()["requested"]
    again = syncing.tick()["requested"]
    ImportRun.objects.update(created_at=timezone.now() - timedelta(seconds=1801))
    with django_capture_on_commit_callbacks(execute=True):
        due = syncing.tick()["requested"]

    assert len(first) == 1 and again == [] and len(due) == 1  # uploads are not re-read
    assert list(location.runs.values_list("trigger", "status")) == [
        ("schedule", "succeeded"),
        ("schedule", "succeeded"),
    ]
    settings.KEEL_CATALOG_SYNC_SECONDS = 0
    ImportRun.objects.update(created_at=timezone.now() - timedelta(days=1))
    assert syncing.tick()["requested"] == []


def test_the_worker_timer_sends_the_tick_without_time_limits(monkeypatch):
    from descriptors.worker import SyncTimer
    from portal.celery import app

    sent = []
    app.conf.task_always_eager = False  # the eager fixture puts it back
    monkeypatch.setattr(
        app.amqp, "send_task_message", lambda producer, name, message, **kw: sent.append(message)
    )

    SyncTimer.send()

    assert [(m.headers["task"], m.headers["timelimit"]) for m in sent] == [
        ("descriptors.tick", [None, None])
    ]


def git(*args, cwd=None):
    env = {"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin", "HOME": "/tmp",
           "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.com",
           "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.com"}  # fmt: skip
    done = subprocess.run(
        ["git", "-c", "credential.helper=", *args], cwd=cwd, env=env, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture
def pushed_repository(live_server, settings, tmp_path, staff):
    """A Keel-hosted repository with a descriptor, read by a git location, and a clone of it
    that may push (a staff member's read-and-write token: no service is named like it)."""
    from accounts.factories import ApiTokenFactory
    from tests.descriptors.test_git_checkout import hosted

    settings.KEEL_REPOSITORY_ROOT = tmp_path / "repositories"
    settings.KEEL_BASE_URL = live_server.url
    hosted("orders", {"catalog-info.yaml": (GROUP % "payments").encode()})
    location = actions.create_location(
        actor=staff, via=Interface.API, slug="orders-repo", name="o",
        type=Location.Type.GIT, target="keel:orders",
    )  # fmt: skip
    token = ApiTokenFactory(user=staff)
    host = live_server.url.removeprefix("http://")
    clone = tmp_path / "clone"
    git("clone", f"http://staff:{token.key}@{host}/git/orders.git", str(clone))
    return location, clone


@pytest.mark.django_db(transaction=True)
def test_a_push_to_a_keel_repository_reads_its_locations_again(pushed_repository):
    location, clone = pushed_repository
    (clone / "catalog-info.yaml").write_text(GROUP % "payments" + "---\n" + GROUP % "billing")
    git("commit", "-qam", "Billing", cwd=clone)

    git("push", "-q", "origin", "main", cwd=clone)

    run = location.runs.get()
    head = git("rev-parse", "HEAD", cwd=clone).stdout.strip()
    assert (run.trigger, run.status, run.commit, run.created) == ("push", "succeeded", head, 2)
    assert Team.objects.filter(slug="billing").exists()


@pytest.mark.django_db(transaction=True)
def test_a_push_that_moves_nothing_reads_nothing(pushed_repository):
    location, clone = pushed_repository
    git("push", "-q", "origin", "main:other", cwd=clone)  # another branch: main unchanged

    assert not location.runs.exists()
