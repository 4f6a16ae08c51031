"""The same run through the form, REST and GraphQL; field errors from the one schema."""

import pytest

from catalog.models import Service
from scaffolding.models import ScaffoldRun

from .conftest import http_params, worker_params
from .graphql import execute

pytestmark = [pytest.mark.urls("tests.scaffolding.urls"), pytest.mark.usefixtures("eager_celery")]


# --- pages ----------------------------------------------------------------------------------


def test_the_create_page_lists_the_templates(client, member):
    client.force_login(member)
    page = client.get("/create/").content.decode()
    assert "Python HTTP service" in page and "Python queue worker" in page
    assert "1.3.0" in page


def test_the_form_is_generated_from_the_schema(client, member):
    client.force_login(member)
    page = client.get("/create/?template=python-worker").content.decode()
    for name in (
        "slug",
        "name",
        "owner_team",
        "data_domain",
        "lifecycle",
        "tier",
        "queue_name",
        "max_attempts",
    ):
        assert f'name="{name}"' in page
    assert '<option value="payments">Payments</option>' in page  # the team's name, its slug sent
    assert 'name="port"' not in page


def test_the_form_shows_field_errors_from_the_server(client, member):
    client.force_login(member)
    response = client.post(
        "/create/?template=python-http-service",
        {
            "template": "python-http-service",
            "slug": "Bad_Name",
            "name": "x",
            "owner_team": "payments",
            "tier": 3,
            "lifecycle": "experimental",
            "python_version": "3.11",
            "port": 80,
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert (
        "slug" in form.errors and "lower-case letters, digits and hyphens" in form.errors["slug"][0]
    )
    assert form.errors["port"] == ["HTTP port is at least 1024."]


def test_the_form_says_when_the_name_is_taken(client, member, service):
    client.force_login(member)
    response = client.post(
        "/create/",
        {
            "template": "python-http-service",
            **http_params(slug="checkout"),
            "tier": 3,
            "lifecycle": "experimental",
            "python_version": "3.11",
            "port": 8080,
        },
    )
    assert response.context["form"].errors["slug"] == [
        "A service named checkout already exists in the catalog."
    ]


def test_submitting_the_form_starts_a_run_and_shows_it(
    client, member, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/create/",
            {
                "template": "python-http-service",
                **http_params(),
                "tier": 2,
                "lifecycle": "experimental",
                "python_version": "3.11",
                "port": 8080,
            },
        )
    run = ScaffoldRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/create/runs/{run.uuid}/"
    page = client.get(response["Location"]).content.decode()
    assert "Creating orders" in page and 'data-status="succeeded"' in page
    status = client.get(f"/create/runs/{run.uuid}/?format=json").json()
    assert status["status"] == "succeeded" and status["next_steps"][0]["url"] == "/services/orders/"
    assert status == client.get(f"/api/v1/scaffold-runs/{run.uuid}/").json()  # one representation
    assert [s["status"] for s in status["steps"]] == ["succeeded"] * 6
    assert Service.objects.get(slug="orders").tier == 2
    pipeline_page = client.get("/pipelines/orders/").content.decode()
    assert "bake" in pipeline_page and "roll back and stop" in pipeline_page


# --- REST -----------------------------------------------------------------------------------


def test_rest_lists_templates_with_their_schema(member_client):
    body = member_client.get("/api/v1/templates/").json()
    slugs = [t["slug"] for t in body]
    assert slugs == ["python-http-service", "python-worker"]
    schema = member_client.get("/api/v1/templates/python-worker/").json()["parameters_schema"]
    assert schema["properties"]["owner_team"]["enum"] == ["payments"]
    assert member_client.get("/api/v1/templates/nope/").status_code == 404


def test_rest_starts_and_shows_a_run(member_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            "/api/v1/scaffold-runs/",
            {"template": "python-worker", "parameters": worker_params()},
            format="json",
        )
    assert response.status_code == 202, response.json()
    run_id = response.json()["uuid"]
    body = member_client.get(f"/api/v1/scaffold-runs/{run_id}/").json()
    assert body["status"] == "succeeded" and body["service"] == "order-events"
    assert body["pipeline"] == "order-events" and body["via"] == "api"
    assert [s["name"] for s in body["steps"]][0] == "validate" and body["log"]
    assert member_client.get("/api/v1/scaffold-runs/?status=succeeded").json()["count"] == 1
    pipeline = member_client.get("/api/v1/pipelines/order-events/").json()
    assert [s["name"] for s in pipeline["stages"]] == [
        "build",
        "package",
        "staging",
        "bake",
        "production",
    ]


def test_rest_reports_field_errors(member_client):
    response = member_client.post(
        "/api/v1/scaffold-runs/",
        {
            "template": "python-worker",
            "parameters": {"slug": "--upload-pack=x", "tier": 0, "owner_team": "search"},
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"slug", "name", "owner_team", "queue_name", "tier"}
    assert response.json()["owner_team"] == ["Choose a team you are a member of."]


def test_rest_needs_sign_in(api_client):
    assert api_client.get("/api/v1/scaffold-runs/").status_code in (401, 403)
    assert api_client.post("/api/v1/scaffold-runs/", {}, format="json").status_code in (401, 403)


@pytest.mark.parametrize("collection", ["scaffold-runs", "pipelines"])
def test_rest_searches_runs_and_pipelines_with_the_shared_bounded_q(member_client, collection):
    assert member_client.get(f"/api/v1/{collection}/?q=checkout").status_code == 200
    response = member_client.get(f"/api/v1/{collection}/", {"q": "x" * 201})
    assert response.status_code == 400
    assert "at most 200 characters" in response.json()["q"][0]


# --- GraphQL --------------------------------------------------------------------------------

MUTATION = """
mutation($template: String!, $parameters: JSONString!) {
  requestScaffold(template: $template, parameters: $parameters) {
    run { uuid slug status }
    errors { field messages }
  }
}"""

RUN_QUERY = """
query($uuid: UUID!) {
  scaffoldRun(uuid: $uuid) {
    slug status templateVersion ownerTeam { slug } requestedBy
    steps { name status durationSeconds }
    log { step message }
    service { slug ownerTeam { slug } providedApis { slug } pipelineUrl }
    pipeline { slug stages { name onSuccess onFailure } }
  }
}"""


def test_graphql_starts_a_run_and_shows_it(member, django_capture_on_commit_callbacks):
    import json

    with django_capture_on_commit_callbacks(execute=True):
        data = execute(
            member, MUTATION, template="python-http-service", parameters=json.dumps(http_params())
        )
    assert data["requestScaffold"]["errors"] == []
    run = execute(member, RUN_QUERY, uuid=data["requestScaffold"]["run"]["uuid"])["scaffoldRun"]
    assert run["status"] == "SUCCEEDED" and run["requestedBy"] == member.username
    assert run["service"]["ownerTeam"]["slug"] == "payments"
    assert run["service"]["providedApis"] == [{"slug": "orders-api"}]
    assert run["pipeline"]["stages"][3] == {
        "name": "bake",
        "onSuccess": "PROMOTE",
        "onFailure": "STOP",
    }


def test_graphql_reports_field_errors(member):
    import json

    data = execute(
        member,
        MUTATION,
        template="python-http-service",
        parameters=json.dumps(http_params(slug="../x", owner_team="nope")),
    )
    errors = {e["field"]: e["messages"] for e in data["requestScaffold"]["errors"]}
    assert data["requestScaffold"]["run"] is None
    assert set(errors) == {"slug", "owner_team"}


def test_graphql_lists_templates(member):
    data = execute(member, "{ serviceTemplates { slug version parametersSchema } }")
    assert [t["slug"] for t in data["serviceTemplates"]] == ["python-http-service", "python-worker"]


def test_a_failed_run_can_be_started_again_from_its_page(
    client, member, django_capture_on_commit_callbacks, monkeypatch
):
    from scaffolding import runner

    def fail_once(run, step):
        if step == "push" and ScaffoldRun.objects.count() == 1:
            raise RuntimeError("remote hung up")

    monkeypatch.setattr(runner, "before_step", fail_once)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/create/",
            {
                "template": "python-worker",
                **worker_params(),
                "tier": 3,
                "lifecycle": "experimental",
                "python_version": "3.11",
                "max_attempts": 5,
            },
        )
    failed = ScaffoldRun.objects.get()
    page = client.get(failed.get_absolute_url()).content.decode()
    assert "Step push failed unexpectedly: remote hung up" in page and "Start again" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/create/runs/{failed.uuid}/retry/")
    again = ScaffoldRun.objects.exclude(pk=failed.pk).get()
    assert response["Location"] == again.get_absolute_url()
    assert again.status == "succeeded" and again.parameters == failed.parameters
    # finished, the page stops asking for itself and says what to do next
    page = client.get(again.get_absolute_url()).content.decode()
    assert 'hx-trigger="every' not in page and "Next steps" in page
    assert f'href="{again.pipeline.get_absolute_url()}"' in page
    assert f'href="{again.service.get_absolute_url()}"' in page


def test_an_unfinished_run_page_asks_for_itself_every_second(client, member):
    client.force_login(member)
    client.post("/create/", {"template": "python-worker", **worker_params(), "tier": 3})
    run = ScaffoldRun.objects.get()
    assert not run.is_finished
    page = client.get(run.get_absolute_url()).content.decode()
    assert f'hx-get="{run.get_absolute_url()}" hx-trigger="every 1s"' in page
    assert 'hx-select="#run-progress"' in page and "Next steps" not in page


def test_run_list_queries_do_not_grow_with_runs(
    member_client, member, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for i in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            actions_request(member, slug=f"svc-{i}")
    with django_assert_max_num_queries(12):
        body = member_client.get("/api/v1/scaffold-runs/").json()
    assert body["count"] == 3
    for i in range(3, 6):
        with django_capture_on_commit_callbacks(execute=True):
            actions_request(member, slug=f"svc-{i}")
    with django_assert_max_num_queries(12):
        assert member_client.get("/api/v1/scaffold-runs/").json()["count"] == 6


def actions_request(member, **params):
    from scaffolding import actions

    return actions.request_scaffold(
        actor=member, via="api", template="python-http-service", parameters=http_params(**params)
    )


def test_the_openapi_document_includes_the_scaffolding_routes_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command(
        "spectacular",
        urlconf="tests.scaffolding.urls",
        fail_on_warn=True,
        validate=True,
        file=str(out),
    )
    text = out.read_text()
    assert "/api/v1/scaffold-runs/{uuid}/retry/" in text and "/api/v1/templates/{slug}/" in text


def test_only_the_owner_team_may_retry_a_failed_run(
    member, outsider, django_capture_on_commit_callbacks, monkeypatch
):
    from rest_framework.test import APIClient

    from scaffolding import actions, runner

    def fail_push(run, step):
        if step == "push":
            raise RuntimeError("boom")

    monkeypatch.setattr(runner, "before_step", fail_push)
    with django_capture_on_commit_callbacks(execute=True):
        run = actions.request_scaffold(
            actor=member, via="api", template="python-http-service", parameters=http_params()
        )
    run.refresh_from_db()
    assert run.status == "failed"

    client = APIClient()
    client.force_authenticate(outsider)
    assert (
        client.get(f"/api/v1/scaffold-runs/{run.uuid}/").status_code == 200
    )  # everyone signed in reads
    refused = client.post(f"/api/v1/scaffold-runs/{run.uuid}/retry/")
    assert refused.status_code == 403
    assert "Only members of team payments" in refused.json()["detail"]
