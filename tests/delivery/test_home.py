"""Pipeline runs on the home page: the runs in flight of one's teams, and each service's
latest run beside it, in queries that do not grow with runs or services."""

import pytest
from django.test import Client

from catalog.factories import ServiceFactory
from delivery.actions import start_run
from delivery.models import PipelineRun
from portal.models import Interface

pytestmark = pytest.mark.django_db


def _home(user):
    client = Client()
    client.force_login(user)
    return client.get("/")


def test_home_shows_runs_in_flight_and_each_services_latest_run(repository, member, team):
    service = ServiceFactory(slug="orders", owner_team=team)
    repository.pipeline.service = service
    repository.pipeline.save()
    first = start_run(repository.pipeline, actor=member, via=Interface.UI)
    PipelineRun.objects.filter(pk=first.pk).update(status=PipelineRun.Status.FAILED)
    second = start_run(repository.pipeline, actor=member, via=Interface.UI)

    response = _home(member)
    [pending] = [p for p in response.context["pending"] if p.kind == "Pipeline"]
    assert pending.label == f"orders #{second.number}" and pending.status == "queued"
    [(shown, latest)] = [(s, run) for s, run in response.context["services"] if s == service]
    assert latest.url == second.get_absolute_url()
    assert f'href="{second.get_absolute_url()}"' in response.content.decode()


def test_latest_runs_read_one_run_a_pipeline(repository, member, team, django_assert_num_queries):
    from delivery.pending import latest_runs

    service = ServiceFactory(slug="orders", owner_team=team)
    repository.pipeline.service = service
    repository.pipeline.save()
    for _ in range(3):
        run = start_run(repository.pipeline, actor=member, via=Interface.UI)
        PipelineRun.objects.filter(pk=run.pk).update(status=PipelineRun.Status.SUCCEEDED)
    with django_assert_num_queries(1):
        latest = latest_runs([service.pk])
    assert latest[service.pk].url == run.get_absolute_url()
