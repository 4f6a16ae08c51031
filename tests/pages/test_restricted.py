"""Run and pipeline pages read through ``restrict()``, like every other page. Checked with a
user whom the rules let see nothing (signed in, then deactivated): a page that skipped the
rules would show them the run."""

import pytest
from django.http import Http404

from scaffolding import views
from scaffolding.models import Pipeline, ScaffoldRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(team, member):
    run = ScaffoldRun.objects.create(
        slug="payouts",
        template="python-worker",
        template_version="1.0.0",
        parameters={},
        owner_team=team,
        requested_by=member,
    )
    Pipeline.objects.create(slug="payouts", owner_team=team, run=run)
    return run


def test_signed_in_users_see_run_and_pipeline_pages(run, member_page):
    assert member_page.get(f"/create/runs/{run.uuid}/").status_code == 200
    assert member_page.get("/pipelines/Payouts/").status_code == 200


@pytest.mark.parametrize(
    ("method", "view", "key"),
    [
        ("get", views.run_detail, "uuid"),
        ("post", views.run_retry, "uuid"),
        ("get", views.pipeline_detail, "slug"),
    ],
)
def test_run_and_pipeline_pages_show_nothing_the_rules_do_not_allow(
    rf, run, member, method, view, key
):
    member.is_active = False
    request = getattr(rf, method)("/")
    request.user = member
    with pytest.raises(Http404):
        view(request, **{key: getattr(run, key)})
