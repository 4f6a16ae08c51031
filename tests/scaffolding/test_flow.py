"""The core flow, in process: request → steps → repository, pipeline and catalog entry."""

import pytest
import yaml
from dulwich.repo import Repo

from catalog.models import Api, Service
from portal.models import ChangeRecord
from scaffolding import actions
from scaffolding.models import Pipeline, ScaffoldRun, ScaffoldStep
from scaffolding.providers.local import repository_path

from .conftest import http_params, worker_params

pytestmark = pytest.mark.usefixtures("eager_celery")


def request(member, django_capture_on_commit_callbacks, template="python-http-service", **params):
    make = http_params if template == "python-http-service" else worker_params
    with django_capture_on_commit_callbacks(execute=True):
        run = actions.request_scaffold(
            actor=member, via="ui", template=template, parameters=make(**params)
        )
    run.refresh_from_db()
    return run


def test_an_http_service_is_created_registered_and_pushed(
    member, django_capture_on_commit_callbacks
):
    # When a team member asks for an HTTP service
    run = request(member, django_capture_on_commit_callbacks, description="Takes orders")

    # Then the run succeeded through every step
    assert run.status == ScaffoldRun.Status.SUCCEEDED, run.error
    assert [s.status for s in run.steps.all()] == ["succeeded"] * 6
    assert run.current_step == "done" and run.attempts == 1
    # and the service is in the catalog, owned by the team, with its API and pipeline
    service = Service.objects.get(slug="orders")
    assert service.owner_team.slug == "payments"
    assert service.kind == "service" and service.framework == "bottle"
    assert service.repository_url == "http://127.0.0.1:8000/git/orders.git"
    assert service.pipeline_url == "http://127.0.0.1:8000/pipelines/orders/"
    assert run.service == service and service.scaffold_run.template_version == "1.3.0"
    assert (service.template, service.template_version) == ("python-http-service", "1.3.0")
    api = Api.objects.get(provider=service)
    assert api.slug == "orders-api" and api.versions.get().version == "0.1.0"
    pipeline = Pipeline.objects.get(service=service)
    assert [s.name for s in pipeline.stages.all()] == [
        "build", "package", "staging", "bake", "production"
    ]  # fmt: skip
    # and the repository's main branch holds the code, descriptor and pipelines
    repo = Repo(str(repository_path("orders")))
    commit = repo[repo.refs[b"refs/heads/main"]]
    assert commit.id.decode() == run.commit_sha
    # whose author is the requester, without their e-mail
    assert member.email and member.email.encode() not in commit.author
    assert commit.author.endswith(f"<{member.username}@users.keel.invalid>".encode())
    assert repo.refs.read_ref(b"HEAD") == b"ref: refs/heads/main"
    tree = repo[commit.tree]
    names = {entry.path.decode() for entry in tree.iteritems()}
    assert {
        "catalog-info.yaml",
        ".keel",
        ".github",
        ".gitlab-ci.yml",
        "openapi.yaml",
        "Dockerfile",
        "requirements.txt",
        "tests",
        "orders",
    } <= names
    descriptor = yaml.safe_load(repo[tree[b"catalog-info.yaml"][1]].data)
    assert descriptor["spec"]["owner"] == "payments"
    assert descriptor["spec"]["template"] == {"name": "python-http-service", "version": "1.3.0"}
    # and history says who asked, from which interface
    assert ChangeRecord.objects.filter(
        object_repr__startswith="orders from", interface="ui", actor=member
    ).exists()
    created = ChangeRecord.objects.get(content_type__model="service", action="create")
    assert created.actor == member and created.interface == "job"
    # including the pipeline's link to the service it delivers
    linked = ChangeRecord.objects.get(content_type__model="pipeline", action="update")
    assert (linked.before["service"], linked.after["service"]) == (None, "orders")
    assert linked.actor == member and linked.interface == "job"


def test_a_worker_is_created_without_an_api(member, django_capture_on_commit_callbacks):
    run = request(member, django_capture_on_commit_callbacks, template="python-worker")

    assert run.status == "succeeded", run.error
    service = Service.objects.get(slug="order-events")
    assert service.kind == "worker"
    assert not Api.objects.filter(provider=service).exists()
    assert service.pipeline.stages.count() == 5


def test_the_run_logs_each_step(member, django_capture_on_commit_callbacks):
    run = request(member, django_capture_on_commit_callbacks)

    steps_logged = {e.step for e in run.log_entries.all()}
    assert {
        "validate",
        "render",
        "create_repository",
        "push",
        "create_pipeline",
        "register",
    } <= steps_logged
    assert all(s.started_at and s.finished_at for s in ScaffoldStep.objects.filter(run=run))


def test_the_service_joins_the_chosen_data_domain(member, django_capture_on_commit_callbacks):
    from catalog.factories import DataDomainFactory

    domain = DataDomainFactory(slug="orders-data")
    run = request(member, django_capture_on_commit_callbacks, data_domain="orders-data")

    assert run.status == "succeeded", run.error
    assert Service.objects.get(slug="orders").data_domain == domain


def test_an_unknown_data_domain_is_a_field_error(member):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        actions.request_scaffold(
            actor=member, via="ui", template="python-http-service",
            parameters=http_params(data_domain="nope"),
        )  # fmt: skip
    assert refused.value.message_dict == {
        "data_domain": ["Choose an existing data domain, or none."]
    }
