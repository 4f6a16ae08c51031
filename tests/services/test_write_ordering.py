"""Writes that overlap on PostgreSQL: the generation follows commit order, and a permission is
decided on the row as locked (the issue 8 reproducers for points 1 and 2)."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from rest_framework.test import APIClient

from catalog import actions as catalog_actions
from catalog.factories import ServiceFactory
from catalog.models import Dependency, Service
from portal.audit import generation
from portal.factories import UserFactory
from portal.models import ChangeRecord
from teams.factories import MembershipFactory, TeamFactory

from .test_concurrency import _race

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _in_thread(work):
    done = threading.Event()

    def run():
        try:
            work()
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, done


def test_a_reader_between_two_overlapping_commits_never_caches_under_a_generation_that_stays():
    # Given two services of different teams (the writers share no row but the generation)
    first, second = ServiceFactory(tier=3), ServiceFactory(tier=3)
    actor = UserFactory(is_staff=True)
    first_written, release_first = threading.Event(), threading.Event()

    def slow_first_writer():
        with transaction.atomic():  # a transaction that commits late
            catalog_actions.update_service(first, actor=actor, via="api", tier=1)
            first_written.set()
            release_first.wait(timeout=30)

    def second_writer():
        catalog_actions.update_service(second, actor=actor, via="api", tier=2)

    # When the first writer has written but not committed, and the second one writes ...
    slow, slow_done = _in_thread(slow_first_writer)
    assert first_written.wait(timeout=30)
    fast, fast_done = _in_thread(second_writer)
    deadline = time.monotonic() + 30
    while not fast_done.is_set() and not _waiting_on_a_lock():
        assert time.monotonic() < deadline, "the second writer neither finished nor waited"
        fast_done.wait(timeout=0.05)

    # ... a reader reads the generation, then the data (as the caches do)
    seen_generation = generation()
    seen = dict(Service.objects.values_list("pk", "tier"))

    release_first.set()
    slow.join(timeout=30)
    fast.join(timeout=30)

    # Then once both committed, the data differs from what the reader saw, and so does the
    # generation: nothing cached under the reader's generation is served again
    final = dict(Service.objects.values_list("pk", "tier"))
    assert final[first.pk] == 1 and final[second.pk] == 2
    assert seen != final
    assert generation() != seen_generation
    # and the second writer queued behind the first instead of committing before it
    assert fast_done.is_set() and seen == {first.pk: 3, second.pk: 3}


def test_nine_parallel_transfers_by_one_member_give_exactly_one_success():
    # Given a service owned by a team with one member, and nine other teams
    owner = TeamFactory()
    member = MembershipFactory(team=owner).user
    service = ServiceFactory(owner_team=owner, slug="ledger")
    targets = [TeamFactory() for _ in range(9)]

    def transfer(i):
        client = APIClient()
        client.force_authenticate(member)
        response = client.post(
            f"/api/v1/services/{service.slug}/transfer/",
            {"owner_team": targets[i].slug},
            format="json",
        )
        return response.status_code

    # When the member sends nine transfers to nine teams at the same moment
    outcomes = _race(9, transfer)

    # Then exactly one went through; the others were decided on the transferred row
    assert sorted(outcomes) == [200] + [403] * 8, outcomes
    service.refresh_from_db()
    assert service.owner_team in targets
    transfers = ChangeRecord.objects.filter(action="transfer", object_id=service.pk)
    assert transfers.count() == 1
    assert transfers.get().after["owner_team"] == service.owner_team.slug

    # and the former owner may no longer change it
    client = APIClient()
    client.force_authenticate(member)
    response = client.patch(f"/api/v1/services/{service.slug}/", {"tier": 1}, format="json")
    assert response.status_code == 403


def test_an_update_racing_a_transfer_is_decided_on_the_owner_after_the_transfer():
    # Given a member of the owning team, and a lead who hands the service on meanwhile
    owner = TeamFactory()
    member = MembershipFactory(team=owner).user
    service = ServiceFactory(owner_team=owner, tier=3)
    other = TeamFactory()
    transferred, release = threading.Event(), threading.Event()

    def transfer_late_commit():
        with transaction.atomic():
            catalog_actions.transfer_service(service, new_owner=other, actor=member, via="api")
            transferred.set()
            release.wait(timeout=30)

    thread, _ = _in_thread(transfer_late_commit)
    assert transferred.wait(timeout=30)

    # When the same member updates the service from a copy read before the transfer
    stale = Service.objects.get(pk=service.pk)
    outcome = {}

    def update():
        try:
            catalog_actions.update_service(stale, actor=member, via="api", tier=1)
            outcome["result"] = "updated"
        except Exception as error:  # noqa: BLE001 - the outcome is what we assert on
            outcome["result"] = type(error).__name__

    updater, updated = _in_thread(update)
    deadline = time.monotonic() + 30
    while not updated.is_set() and not _waiting_on_a_lock():
        assert time.monotonic() < deadline
        updated.wait(timeout=0.05)
    release.set()
    thread.join(timeout=30)
    updater.join(timeout=30)

    # Then the update waited for the transfer and was refused: the member no longer owns it
    assert outcome["result"] == "PermissionDenied"
    assert Service.objects.get(pk=service.pk).tier == 3


def test_a_dependency_added_while_its_target_is_deleted_is_refused_not_a_server_error():
    # Given a service being deleted in a transaction that commits late
    team = TeamFactory()
    actor = UserFactory(is_staff=True)
    source, target = ServiceFactory(owner_team=team), ServiceFactory(owner_team=TeamFactory())
    deleted, release = threading.Event(), threading.Event()

    def slow_delete():
        with transaction.atomic():
            catalog_actions.delete_service(target, actor=actor, via="api")
            deleted.set()
            release.wait(timeout=30)

    deleter, _ = _in_thread(slow_delete)
    assert deleted.wait(timeout=30)

    # When someone adds a dependency on it meanwhile
    outcome = {}

    def add():
        try:
            catalog_actions.add_dependency(
                actor=actor, via="api", source=source, target_service=target
            )
            outcome["result"] = "added"
        except ValidationError as error:
            outcome["result"] = getattr(error, "message_dict", error.messages)
        except Exception as error:  # noqa: BLE001 - the outcome is what we assert on
            outcome["result"] = type(error).__name__

    adder, added = _in_thread(add)
    deadline = time.monotonic() + 30
    while not added.is_set() and not _waiting_on_a_lock():
        assert time.monotonic() < deadline
        added.wait(timeout=0.05)
    release.set()
    deleter.join(timeout=30)
    adder.join(timeout=30)

    # Then it waited for the deletion and was told why, and nothing points at a deleted row
    assert outcome["result"] == {
        "target_service": ["This no longer exists; it was just deleted."]
    }, outcome
    assert not Service.objects.filter(pk=target.pk).exists()
    assert not Dependency.objects.exists()
