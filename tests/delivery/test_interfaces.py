"""Starting and reading runs through the pipeline page, REST and GraphQL: one action, one
permission rule, and query counts that do not grow with the number of runs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from delivery import actions
from delivery.models import PipelineRun
from portal.models import Interface
from tests.graphql.conftest import GraphQLClient

pytestmark = pytest.mark.usefixtures("eager_celery")


def runs_of(repository, member, count):
    for index in range(count):
        run = actions.start_run(repository.pipeline, actor=member, via=Interface.API)
        PipelineRun.objects.filter(pk=run.pk).update(status="succeeded")  # next one may wait
        repository.commit({"README.md": f"{index}\n"})


# --- REST -----------------------------------------------------------------------------------


def test_rest_starts_a_run_that_builds_and_packages(
    member_client, repository, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post("/api/v1/pipelines/orders/runs/", {}, format="json")

    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["number"], body["status"], body["trigger"]) == (1, "queued", "manual")
    run = member_client.get(f"/api/v1/runs/{body['id']}/").json()
    assert run["status"] == "succeeded"
    stages = {s["name"]: s for s in run["stages"]}
    assert stages["build"]["status"] == "succeeded" and "Ran 1 test" in stages["build"]["log"]
    assert stages["production"]["status"] == "succeeded"
    assert stages["bake"]["status"] == "succeeded"
    assert run["artifact"]["digest"] == stages["package"]["result"]["artifact"]
    assert run["artifact"]["provenance"]["source"]["commit"] == run["commit_sha"]


def test_rest_refuses_outsiders_and_unknown_commits(api_client, outsider, member, repository):
    api_client.force_authenticate(outsider)
    refused = api_client.post("/api/v1/pipelines/orders/runs/", {}, format="json")
    api_client.force_authenticate(member)
    unknown = api_client.post("/api/v1/pipelines/orders/runs/", {"commit": "0" * 40}, format="json")
    missing = api_client.post("/api/v1/pipelines/nothing/runs/", {}, format="json")

    assert (
        refused.status_code == 403 and "Only members of team payments" in refused.json()["detail"]
    )
    assert unknown.status_code == 400 and "commit" in unknown.json()
    assert missing.status_code == 404
    assert not PipelineRun.objects.exists()


def test_rest_lists_a_pipelines_runs_newest_first_in_pages(member_client, repository, member):
    runs_of(repository, member, 3)

    page = member_client.get("/api/v1/pipelines/orders/runs/?page_size=2").json()
    everyone = member_client.get("/api/v1/runs/?pipeline=orders&status=succeeded").json()

    assert page["count"] == 3 and [r["number"] for r in page["results"]] == [3, 2]
    assert page["next"] and "log" not in page["results"][0]["stages"][0]
    assert everyone["count"] == 3


def test_rest_list_query_count_does_not_grow_with_runs(member_client, repository, member):
    runs_of(repository, member, 1)
    with CaptureQueriesContext(connection) as one:
        assert member_client.get("/api/v1/pipelines/orders/runs/").status_code == 200
    runs_of(repository, member, 4)
    with CaptureQueriesContext(connection) as five:
        assert len(member_client.get("/api/v1/pipelines/orders/runs/").json()["results"]) == 5
    assert len(five.captured_queries) == len(one.captured_queries)


def test_rest_needs_a_signed_in_user(api_client, repository):
    assert api_client.get("/api/v1/pipelines/orders/runs/").status_code == 401


# --- GraphQL --------------------------------------------------------------------------------

RUNS = """query($slug: String!) { pipeline(slug: $slug) { runs(first: 10) { totalCount
  edges { node { number status trigger commitSha startedBy { username }
    artifact { digest } stages { name status attempts } } } } } }"""

START = """mutation($input: StartPipelineRunInput!) { startPipelineRun(input: $input) {
  errors { field messages } run { runId number status } } }"""


def test_graphql_starts_a_run_and_reads_it_on_the_pipeline(
    client, member, repository, django_capture_on_commit_callbacks
):
    client.force_login(member)
    gql = GraphQLClient(client)
    with django_capture_on_commit_callbacks(execute=True):
        started = gql(START, {"input": {"pipeline": "orders"}})["startPipelineRun"]

    assert started["errors"] == [] and started["run"]["number"] == 1
    runs = gql(RUNS, {"slug": "orders"})["pipeline"]["runs"]
    node = runs["edges"][0]["node"]
    assert runs["totalCount"] == 1 and node["status"] == "SUCCEEDED"
    assert node["startedBy"] == {"username": member.username} and node["artifact"]["digest"]
    assert [(s["name"], s["status"]) for s in node["stages"]] == [
        ("build", "SUCCEEDED"), ("package", "SUCCEEDED"), ("staging", "SUCCEEDED"),
        ("bake", "SUCCEEDED"), ("production", "SUCCEEDED"),
    ]  # fmt: skip
    one = gql("query($id: Int!) { pipelineRun(runId: $id) { number stages { name log } } }",
              {"id": started["run"]["runId"]})["pipelineRun"]  # fmt: skip
    assert "Ran 1 test" in one["stages"][0]["log"]


def test_graphql_refuses_outsiders_and_reports_bad_commits_as_field_errors(
    client, outsider, member, repository
):
    client.force_login(outsider)
    refused = GraphQLClient(client).post(START, {"input": {"pipeline": "orders"}}).json()
    client.force_login(member)
    bad = GraphQLClient(client)(START, {"input": {"pipeline": "orders", "commit": "nope"}})

    assert "Only members of team payments" in refused["errors"][0]["message"]
    assert bad["startPipelineRun"]["errors"][0]["field"] == "commit"
    assert not PipelineRun.objects.exists()


def test_graphql_runs_cost_the_same_for_one_run_as_for_five(client, member, repository):
    client.force_login(member)
    gql = GraphQLClient(client)
    runs_of(repository, member, 1)
    with CaptureQueriesContext(connection) as one:
        gql(RUNS, {"slug": "orders"})
    runs_of(repository, member, 4)
    with CaptureQueriesContext(connection) as five:
        assert gql(RUNS, {"slug": "orders"})["pipeline"]["runs"]["totalCount"] == 5
    assert len(five.captured_queries) == len(one.captured_queries)


# --- pages ----------------------------------------------------------------------------------


def test_the_pipeline_page_loads_its_runs_and_a_member_starts_one(
    client, member, repository, django_capture_on_commit_callbacks
):
    client.force_login(member)
    page = client.get("/pipelines/orders/").content.decode()
    assert 'hx-get="/pipelines/orders/runs/?partial=1"' in page

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/pipelines/orders/runs/")

    run = PipelineRun.objects.get()
    assert started.status_code == 302 and started["Location"] == run.get_absolute_url()
    partial = client.get("/pipelines/orders/runs/?partial=1").content.decode()
    assert 'data-run="1"' in partial and 'data-status="succeeded"' in partial
    assert "not run" in partial and "hx-trigger" not in partial  # finished: no polling
    detail = client.get(run.get_absolute_url()).content.decode()
    assert "Ran 1 test" in detail and "smoke test passed" in detail
    assert client.get(run.artifact.get_absolute_url()).status_code == 200


def test_an_unfinished_run_polls_and_an_outsider_sees_no_start_button(
    client, outsider, member, repository
):
    actions.start_run(repository.pipeline, actor=member, via=Interface.UI)  # queued
    client.force_login(outsider)

    partial = client.get("/pipelines/orders/runs/?partial=1").content.decode()
    refused = client.post("/pipelines/orders/runs/", follow=True)

    assert 'hx-trigger="every 2s"' in partial and "Run the head of main" not in partial
    assert "Only members of team payments" in refused.content.decode()
    assert PipelineRun.objects.count() == 1
