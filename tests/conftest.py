"""Fixtures shared by every test module."""

import pytest
from rest_framework.test import APIClient

from catalog.factories import ServiceFactory
from portal.factories import UserFactory
from teams.factories import MembershipFactory, TeamFactory
from teams.models import Membership


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The factories give every user a password; the default hasher costs ~0.3 s a user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_caches():
    """Caches are keyed by the catalog generation, and every test's rollback takes the
    generation back too, so the next test would meet the same numbers: start with nothing
    cached."""
    from django.core.cache import cache

    from catalog.graph import DependencyGraph

    cache.clear()
    DependencyGraph.forget()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    return UserFactory(username="staff", is_staff=True)


@pytest.fixture
def team(db):
    return TeamFactory(slug="payments", name="Payments")


@pytest.fixture
def lead(team):
    return MembershipFactory(team=team, role=Membership.Role.LEAD).user


@pytest.fixture
def member(team):
    return MembershipFactory(team=team).user


@pytest.fixture
def outsider(db):
    """A signed-in user in another team."""
    return MembershipFactory(team=TeamFactory(slug="search")).user


@pytest.fixture
def service(team):
    return ServiceFactory(slug="checkout", name="Checkout", owner_team=team)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def member_client(member):
    client = APIClient()
    client.force_authenticate(member)
    return client


def pytest_collection_modifyitems(config, items):
    """Tests marked ``services`` need PostgreSQL, Redis and a real worker: they run only in
    the service tier (``.ci/run`` sets KEEL_TEST_TIER=services), not in the default one."""
    import os

    if os.environ.get("KEEL_TEST_TIER") == "services":
        return
    selected = [item for item in items if "services" not in item.keywords]
    deselected = [item for item in items if "services" in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected
