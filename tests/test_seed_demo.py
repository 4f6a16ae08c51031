"""The demo organisation: big enough to look real, valid throughout, and safe to load twice."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from catalog.demo.seed import totals
from catalog.graph import find_cycles
from catalog.models import ApiVersion, Dependency
from catalog.specs import validate_spec
from portal.models import ChangeRecord, Interface
from teams.models import Membership, Team


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Loaded once for the module (a few seconds) and rolled back after its last test;
    each test runs in its own savepoint inside, so the tests cannot disturb each other."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            DATA_DIR=tmp_path_factory.mktemp("data"),
        ),
        transaction.atomic(),
    ):
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def in_savepoint(seeded, db):
    """Every test sees the loaded demo through pytest-django's per-test transaction."""


def test_the_demo_meets_its_minimums(seeded):
    counts = totals()

    assert counts["teams"] >= 8
    assert counts["services"] >= 40
    assert counts["APIs"] >= 20
    assert counts["data domains"] >= 6
    assert counts["resources"] >= 4
    assert counts["dependencies"] >= 80
    assert counts["API consumptions"] >= 20
    assert set(ApiVersion.objects.values_list("api__type", flat=True)) == {
        "openapi", "asyncapi", "graphql", "grpc",
    }  # fmt: skip


def test_every_team_has_four_to_eight_members_and_one_lead(seeded):
    for team in Team.objects.all():
        roles = list(team.memberships.values_list("role", flat=True))
        assert 4 <= len(roles) <= 8
        assert roles.count(Membership.Role.LEAD) == 1


def test_every_api_version_validates(seeded):
    for version in ApiVersion.objects.select_related("api"):
        validate_spec(version.api.type, version.spec)


def test_the_demo_has_a_dependency_cycle(seeded):
    cycle_slugs = [{s.slug for s in cycle.services} for cycle in find_cycles()]

    assert {"order-service", "payment-gateway"} <= set().union(*cycle_slugs)


def test_everything_was_written_through_the_actions_from_the_command_line(seeded):
    interfaces = set(ChangeRecord.objects.values_list("interface", flat=True))

    assert interfaces == {Interface.CLI}
    assert ChangeRecord.objects.filter(action="create").count() >= Dependency.objects.count()


def test_loading_again_changes_nothing(seeded):
    before = (totals(), ChangeRecord.objects.count())
    out = io.StringIO()

    call_command("seed_demo", stdout=out)

    assert (totals(), ChangeRecord.objects.count()) == before
    assert "Created nothing" in out.getvalue()


def test_passwords_are_remembered_and_printed(seeded, settings, client):
    demo_password = (settings.DATA_DIR / "demo-password").read_text().strip()
    admin_password = (settings.DATA_DIR / "admin-password").read_text().strip()
    lead = Membership.objects.filter(role="lead").select_related("user").first().user

    assert demo_password in seeded and admin_password in seeded
    assert client.login(username=lead.username, password=demo_password)
    assert client.login(username="admin", password=admin_password)


def test_a_given_password_is_used_and_remembered(settings, tmp_path, client):
    settings.DATA_DIR = tmp_path
    call_command("seed_demo", password="correct-horse-battery", stdout=io.StringIO())
    lead = Membership.objects.filter(role="lead").select_related("user").first().user

    assert client.login(username=lead.username, password="correct-horse-battery")
    assert (settings.DATA_DIR / "demo-password").read_text().strip() == "correct-horse-battery"


def test_the_summary_overview_and_graph_page_give_one_dependency_count(seeded):
    # Given the demo, whose rows include service-to-resource edges and a service's own
    # resources (so rows and service pairs differ)
    held = seeded.split("Catalog now holds", 1)[1]
    printed = int(re.search(r"(\d+) dependencies", held).group(1))
    assert printed != Dependency.objects.count()
    # When someone compares the summary with the overview and the whole-catalog graph
    browser = Client()
    browser.force_login(Membership.objects.first().user)
    overview = browser.get(reverse("overview")).context["counts"]["dependencies"]
    graph = browser.get(reverse("graph")).context["elements"]
    # Then they agree (catalog.graph.DependencyGraph.dependency_count)
    assert not graph["truncated"]
    assert printed == overview == len(graph["edges"])
