"""Deleting a scaffolded service removes its repository and pipeline (issue 8, point 6):
the name is free again and ``/git/<slug>.git`` no longer serves the old code."""

import pytest

from catalog import actions as catalog_actions
from catalog.models import Api, ApiVersion, Service
from portal.audit import history_for
from portal.models import ChangeRecord
from scaffolding.models import Pipeline, PipelineStage, ScaffoldRun
from scaffolding.providers.local import repository_path

from .test_flow import request

pytestmark = pytest.mark.usefixtures("eager_celery")


@pytest.fixture
def scaffolded(member, django_capture_on_commit_callbacks):
    run = request(member, django_capture_on_commit_callbacks)
    assert run.status == ScaffoldRun.Status.SUCCEEDED, run.error
    return run


def test_deleting_a_scaffolded_service_removes_its_repository_and_pipeline(
    scaffolded, member, client, django_capture_on_commit_callbacks
):
    service = scaffolded.service
    assert (repository_path("orders") / "HEAD").is_file()

    # When its team deletes the service
    with django_capture_on_commit_callbacks(execute=True):
        catalog_actions.delete_service(service, actor=member, via="ui")

    # Then the repository is gone and not served any more
    assert not repository_path("orders").exists()
    client.force_login(member)
    response = client.get("/git/orders.git/info/refs?service=git-upload-pack")
    assert response.status_code == 404
    # and the pipeline went with the service
    assert not Pipeline.objects.exists() and not PipelineStage.objects.exists()
    # and the run forgot the repository, with a record and a line in its log
    scaffolded.refresh_from_db()
    assert scaffolded.repository_id == "" and scaffolded.repository_url == ""
    assert scaffolded.log_entries.filter(message__contains="Removed the repository").exists()
    # and the service's history shows everything that went with it
    removed = {
        (r.content_type.model, r.action)
        for r in history_for(service).select_related("content_type")
    }
    assert {
        ("service", "delete"),
        ("api", "delete"),
        ("apiversion", "delete"),
        ("pipeline", "delete"),
        ("pipelinestage", "delete"),
        ("scaffoldrun", "update"),
    } <= removed


def test_another_team_can_then_scaffold_the_same_name(
    scaffolded, member, outsider, django_capture_on_commit_callbacks
):
    old_commit = scaffolded.commit_sha
    with django_capture_on_commit_callbacks(execute=True):
        catalog_actions.delete_service(scaffolded.service, actor=member, via="ui")

    # When another team asks for a service of the same name
    run = request(outsider, django_capture_on_commit_callbacks, owner_team="search")

    # Then it is created, with a repository of its own
    assert run.status == ScaffoldRun.Status.SUCCEEDED, run.error
    assert Service.objects.get(slug="orders").owner_team.slug == "search"
    assert run.commit_sha != old_commit
    assert Api.objects.filter(slug="orders-api").count() == 1
    assert ApiVersion.objects.count() == 1


def test_a_refused_deletion_keeps_the_repository(scaffolded, outsider):
    with pytest.raises(Exception, match="members of team payments"):
        catalog_actions.delete_service(scaffolded.service, actor=outsider, via="ui")

    assert (repository_path("orders") / "HEAD").is_file()
    assert not ChangeRecord.objects.filter(action="delete").exists()


def test_undoing_a_failed_run_records_what_it_removes(
    member, inject, django_capture_on_commit_callbacks
):
    # Given a run whose last step fails for good after its pipeline was created
    def fail(run, step):
        if step == "register":
            raise RuntimeError("disk full")

    inject(fail)
    run = request(member, django_capture_on_commit_callbacks)
    assert run.status == ScaffoldRun.Status.FAILED

    # Then the pipeline's creation and its removal (with its stages) are both on record
    pipeline_records = ChangeRecord.objects.filter(content_type__model="pipeline")
    assert sorted(pipeline_records.values_list("action", "actor_name")) == [
        ("create", member.username),
        ("delete", "keel-system"),
    ]
    stages = ChangeRecord.objects.filter(content_type__model="pipelinestage", action="delete")
    assert stages.count() == 5
    assert not Pipeline.objects.exists()
