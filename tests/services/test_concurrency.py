"""Invariants that hold under concurrent writers, which need PostgreSQL's row locks."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from catalog import actions as catalog_actions
from catalog.models import Service
from portal.audit import system_actor
from portal.factories import UserFactory
from teams import actions as team_actions
from teams.factories import TeamFactory
from teams.models import Membership

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _race(count, work):
    """Run ``work(i)`` in ``count`` threads released together; return results or errors."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def run(i):
        try:
            barrier.wait()
            outcomes[i] = work(i)
        except Exception as error:  # noqa: BLE001 - the outcome is what we assert on
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_adds_never_pass_the_team_size_limit(settings):
    # Given a team with room for three more members
    settings.KEEL_TEAM_SIZE_LIMIT = 3
    team = TeamFactory()
    users = [UserFactory() for _ in range(8)]
    actor = system_actor()

    # When eight people are added at the same moment
    outcomes = _race(8, lambda i: team_actions.add_member(team, users[i], actor=actor, via="api"))

    # Then exactly three joined and the others were told why not
    assert Membership.objects.filter(team=team).count() == 3
    refusals = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refusals) == 5
    assert all("the limit is 3" in str(r) for r in refusals)


def test_concurrent_creates_of_one_slug_make_one_service():
    team = TeamFactory()
    actor = system_actor()

    outcomes = _race(
        6,
        lambda i: catalog_actions.create_service(
            actor=actor, via="api", owner_team=team, slug="ledger", name=f"Ledger {i}"
        ),
    )

    assert Service.objects.filter(slug="ledger").count() == 1
    refusals = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refusals) == 5
    assert all("slug" in r.message_dict for r in refusals)
