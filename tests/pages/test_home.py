"""Home: a signed-in person's teams, their teams' services, what is in flight for them, and
what people (not Keel's own jobs) changed lately in what their teams own. The organisation
overview moved to /overview/, one click away."""

import pytest
from django.urls import reverse

from catalog.actions import update_api, update_service
from catalog.factories import ApiFactory, ServiceFactory
from descriptors.models import ImportRun
from portal.audit import system_actor
from portal.models import Interface
from scaffolding.models import ScaffoldRun
from teams.factories import MembershipFactory, TeamFactory
from tests.descriptors.test_pages import upload_location

from .conftest import signed_in

pytestmark = pytest.mark.django_db


def _run(team, member, slug="payouts", status="pending"):
    return ScaffoldRun.objects.create(
        slug=slug,
        template="python-worker",
        template_version="1.0.0",
        parameters={},
        owner_team=team,
        requested_by=member,
        status=status,
    )


def test_home_shows_teams_services_pending_work_and_peoples_changes(team, member, service):
    colleague = MembershipFactory(team=team, user__username="grace").user
    other = ServiceFactory(slug="elsewhere", owner_team=TeamFactory(slug="other-team"))
    MembershipFactory(team=other.owner_team, user=colleague)  # grace is in both teams
    ServiceFactory(slug="critical", owner_team=team, tier=1)
    api = ApiFactory(slug="checkout-api", provider=service)
    update_service(service, actor=colleague, via=Interface.UI, description="Takes money")
    update_api(api, actor=colleague, via=Interface.API, description="Pay for an order")
    update_service(other, actor=colleague, via=Interface.UI, description="Not ours")
    update_service(service, actor=system_actor(), via=Interface.JOB, description="By a job")
    _run(team, member)
    _run(team, member, slug="done-already", status="succeeded")
    ImportRun.objects.create(location=upload_location(member, owner_team=team), trigger="manual")

    response = signed_in(member).get("/")
    html = response.content.decode()
    assert response.status_code == 200 and "Your teams" in html
    assert [s.slug for s, _ in response.context["services"]] == ["critical", "checkout"]  # by tier
    assert [p.label for p in response.context["pending"]][-1] == "payouts"
    assert {p.kind for p in response.context["pending"]} == {"Creating", "Import"}
    assert "done-already" not in html
    recent = [(r.actor_name, r.object_repr) for r, _ in response.context["recent"]]
    assert ("grace", str(service)) in recent
    assert all(name != "keel-system" for name, _ in recent)  # Keel's own jobs are noise here
    assert all(obj != str(other) for _, obj in recent)  # another team's service
    assert ("grace", str(api)) in recent  # an API of their service is theirs too
    assert 'href="/overview/"' in html


def test_home_without_a_team_says_what_to_do(db):
    from portal.factories import UserFactory

    html = signed_in(UserFactory()).get("/").content.decode()
    assert "You are not in a team yet." in html and 'href="/overview/"' in html


def test_the_overview_is_one_click_away(member_page):
    assert member_page.get(reverse("overview")).status_code == 200
    assert reverse("overview") == "/overview/" and reverse("home") == "/"


def test_home_queries_do_not_grow_with_what_the_teams_own(
    team, member, service, django_assert_max_num_queries
):
    def grow(prefix, n):
        for i in range(n):
            extra = ServiceFactory(slug=f"{prefix}-{i}", owner_team=team)
            update_service(extra, actor=member, via=Interface.UI, description=f"change {i}")
            _run(team, member, slug=f"{prefix}-run-{i}")

    page = signed_in(member)
    grow("few", 1)
    page.get("/")
    with django_assert_max_num_queries(20) as few:
        page.get("/")
    grow("many", 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = page.get("/")
    assert len(response.context["services"]) == 10 and len(response.context["pending"]) == 9
