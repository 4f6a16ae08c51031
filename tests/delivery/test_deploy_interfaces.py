"""What runs where and the deployment history through pages, REST and GraphQL, and rolling
an environment back from each: one action, one permission rule, bad input refused, query
counts that do not grow with the history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from delivery import actions
from delivery.models import Deployment, Environment, PipelineRun
from portal.models import Interface
from tests.graphql.conftest import GraphQLClient

from .conftest import app

pytestmark = pytest.mark.usefixtures("eager_celery")


def deploy_twice(repository, member, capture):
    """Two runs of the fixture repository (v1 then v2), both deployed everywhere."""
    for message in ("hello v1", "hello v2"):
        repository.commit(app(message=message))
        with capture(execute=True):
            run = actions.start_run(repository.pipeline, actor=member, via=Interface.API)
        run.refresh_from_db()
        assert run.status == PipelineRun.Status.SUCCEEDED, run.message


def history_rows(repository, count):
    """``count`` recorded deployments to staging (rows only, no processes)."""
    environment, _ = Environment.objects.get_or_create(
        pipeline=repository.pipeline, name="staging", defaults={"position": 0}
    )
    run = PipelineRun.objects.create(
        pipeline=repository.pipeline, number=1, trigger="manual", commit_sha="c" * 40,
        status="succeeded",
    )  # fmt: skip
    Deployment.objects.bulk_create(
        Deployment(environment=environment, run=run, artifact_digest=f"{n:064x}",
                   commit_sha="c" * 40, status="replaced")
        for n in range(count)
    )  # fmt: skip


# --- REST -----------------------------------------------------------------------------------


def test_rest_shows_what_runs_where_and_rolls_back(
    member_client, repository, member, django_capture_on_commit_callbacks
):
    deploy_twice(repository, member, django_capture_on_commit_callbacks)

    environments = member_client.get("/api/v1/pipelines/orders/environments/").json()
    assert [e["name"] for e in environments] == ["staging", "production"]
    production = environments[1]["current"]
    assert production["status"] == "live" and production["run"] == 2
    response = member_client.post("/api/v1/pipelines/orders/environments/production/rollback/")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["status"], body["actor"]) == ("rollback", "live", member.username)
    assert body["previous"] == production["id"] and body["via"] == "api"
    history = member_client.get("/api/v1/pipelines/orders/deployments/?environment=production")
    statuses = [(d["kind"], d["status"]) for d in history.json()["results"]]
    assert statuses == [("rollback", "live"), ("deploy", "rolled_back"), ("deploy", "replaced")]


def test_rest_refuses_outsiders_bad_input_and_an_environment_with_nothing_to_roll_back(
    api_client, outsider, member, repository, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.start_run(repository.pipeline, actor=member, via=Interface.API)
    api_client.force_authenticate(outsider)
    refused = api_client.post("/api/v1/pipelines/orders/environments/staging/rollback/")
    api_client.force_authenticate(member)
    nothing_earlier = api_client.post("/api/v1/pipelines/orders/environments/staging/rollback/")
    unknown = api_client.post("/api/v1/pipelines/orders/environments/moon/rollback/")
    bad_status = api_client.get("/api/v1/pipelines/orders/deployments/?status=sideways")
    too_long = api_client.get(f"/api/v1/pipelines/orders/deployments/?environment={'x' * 51}")

    assert refused.status_code == 403 and "Only members of team payments" in str(refused.json())
    assert nothing_earlier.status_code == 400
    assert "no earlier good release" in str(nothing_earlier.json())
    assert unknown.status_code == 404
    assert bad_status.status_code == 400 and "status" in bad_status.json()
    assert too_long.status_code == 400 and "environment" in too_long.json()
    assert Deployment.objects.filter(kind="rollback").count() == 0


def test_rest_deployment_history_is_paged_with_constant_queries(member_client, repository):
    history_rows(repository, 2)
    with CaptureQueriesContext(connection) as two:
        assert member_client.get("/api/v1/pipelines/orders/deployments/").json()["count"] == 2
    first = Deployment.objects.first()
    Deployment.objects.bulk_create(
        Deployment(environment=first.environment, run=first.run,
                   artifact_digest=f"{n + 100:064x}", status="replaced")
        for n in range(8)
    )  # fmt: skip
    with CaptureQueriesContext(connection) as ten:
        page = member_client.get("/api/v1/pipelines/orders/deployments/?page_size=10").json()
    assert page["count"] == 10 and len(page["results"]) == 10
    assert len(ten.captured_queries) == len(two.captured_queries)


# --- GraphQL --------------------------------------------------------------------------------

DEPLOYMENTS = """query { deployments(pipeline: "orders", environment: "staging", first: 20) {
  totalCount edges { node { deploymentId kind status artifactDigest commitSha
    run { number } actor { username } environment { name } } } } }"""

ROLLBACK = """mutation($input: RollbackEnvironmentInput!) { rollbackEnvironment(input: $input) {
  errors { field messages } deployment { deploymentId kind status url } } }"""


def test_graphql_reads_the_history_and_rolls_back(
    client, member, repository, django_capture_on_commit_callbacks
):
    deploy_twice(repository, member, django_capture_on_commit_callbacks)
    client.force_login(member)
    gql = GraphQLClient(client)

    unknown = gql(ROLLBACK, {"input": {"pipeline": "orders", "environment": "moon"}})
    done = gql(ROLLBACK, {"input": {"pipeline": "orders", "environment": "staging"}})
    history = gql(DEPLOYMENTS)["deployments"]
    where = gql('query { environments(pipeline: "orders") { name current { kind status } } }')

    assert unknown["rollbackEnvironment"]["errors"][0]["field"] == "environment"
    assert done["rollbackEnvironment"]["errors"] == []
    assert done["rollbackEnvironment"]["deployment"]["kind"] == "ROLLBACK"
    assert history["totalCount"] == 3
    assert [e["node"]["status"] for e in history["edges"]] == ["LIVE", "ROLLED_BACK", "REPLACED"]
    assert history["edges"][1]["node"]["run"] == {"number": 2}
    assert where["environments"][0] == {
        "name": "staging", "current": {"kind": "ROLLBACK", "status": "LIVE"}
    }  # fmt: skip


def test_graphql_refuses_an_outsiders_rollback(client, outsider, repository):
    history_rows(repository, 1)
    client.force_login(outsider)
    refused = GraphQLClient(client).post(
        ROLLBACK, {"input": {"pipeline": "orders", "environment": "staging"}}
    )
    assert "Only members of team payments" in refused.json()["errors"][0]["message"]


def test_graphql_history_costs_the_same_for_two_deployments_as_for_ten(client, member, repository):
    client.force_login(member)
    gql = GraphQLClient(client)
    history_rows(repository, 2)
    Deployment.objects.update(actor=member)
    with CaptureQueriesContext(connection) as two:
        gql(DEPLOYMENTS)
    first = Deployment.objects.first()
    Deployment.objects.bulk_create(
        Deployment(environment=first.environment, run=first.run, artifact_digest=f"{n:064x}",
                   status="replaced", actor=member)
        for n in range(8)
    )  # fmt: skip
    with CaptureQueriesContext(connection) as ten:
        assert gql(DEPLOYMENTS)["deployments"]["totalCount"] == 10
    assert len(ten.captured_queries) == len(two.captured_queries)


# --- pages ----------------------------------------------------------------------------------


def test_the_service_page_shows_what_runs_where_and_a_member_rolls_back(
    client, member, outsider, repository, service, django_capture_on_commit_callbacks
):
    repository.pipeline.service = service
    repository.pipeline.save()
    deploy_twice(repository, member, django_capture_on_commit_callbacks)
    production = Environment.objects.get(name="production")
    current = production.current

    client.force_login(outsider)
    seen = client.get(f"/services/{service.slug}/delivery/").content.decode()
    assert 'data-environment="production"' in seen and current.commit_sha[:12] in seen
    assert f"sha256:{current.artifact_digest[:12]}" in seen and "run #2" in seen
    assert "Roll back" not in seen  # not their team's
    client.force_login(member)
    page = client.get(f"/services/{service.slug}/").content.decode()
    assert f"/services/{service.slug}/delivery/" in page  # the page loads the panel
    assert (
        "Roll back production" in client.get(f"/services/{service.slug}/delivery/").content.decode()
    )

    url = "/pipelines/orders/environments/production/rollback/"
    client.force_login(outsider)
    assert client.get(url).status_code == 403  # not asked: not their team's
    client.force_login(member)
    asked = client.get(url).content.decode()
    assert f"Roll production back from {current.version or current.commit_sha[:12]}" in asked
    assert client.post(url).status_code == 200
    production.refresh_from_db()
    assert production.current == current  # not rolled back until confirmed

    rolled = client.post(url, {"confirmed": "yes"}, follow=True)

    text = rolled.content.decode()
    assert rolled.status_code == 200 and "Rolled production back" in text
    assert 'data-status="rolled_back"' in text and 'data-status="live"' in text
    production.refresh_from_db()
    assert production.current.kind == "rollback"
    assert client.get("/pipelines/orders/environments/nowhere/").status_code == 404
