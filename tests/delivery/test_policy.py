"""can_promote: the stages an artifact passed in one run, the bake's verdict, approvals where
asked for (tier 1 production by default), and breaking API versions still waiting."""

import pytest
from django.core.exceptions import ValidationError

from catalog.factories import ApiFactory, ApiVersionFactory
from contracts.models import BreakingRelease
from delivery import actions, policy
from delivery.models import StageRun
from portal.models import Interface

from .external import DIGEST, OTHER, passed_run


def test_an_artifact_that_passed_every_stage_may_go_to_production(repository):
    passed_run(repository.pipeline)
    verdict = policy.can_promote(repository.pipeline, digest=DIGEST, environment="production")
    assert verdict.allowed and verdict.reasons == []


def test_an_unbaked_artifact_is_refused_with_the_stage_named(repository):
    passed_run(repository.pipeline, stages={"bake": StageRun.Status.NOT_RUN})
    verdict = policy.can_promote(repository.pipeline, digest=DIGEST, environment="production")
    assert not verdict.allowed
    assert verdict.reasons == [
        "Stage bake has not passed for this artifact (run 1: not run (the embedded runner has no runner for it))."
    ]


def test_a_breached_bake_verdict_refuses_even_when_the_stage_succeeded(repository):
    passed_run(repository.pipeline, bake="breached")
    verdict = policy.can_promote(repository.pipeline, digest=DIGEST, environment="production")
    assert verdict.reasons == [
        "Stage bake has not passed for this artifact (run 1: verdict breached)."
    ]


def test_stages_count_in_one_run_and_staging_needs_build_and_package_only(repository):
    passed_run(repository.pipeline, stages={"bake": StageRun.Status.FAILED})
    passed_run(repository.pipeline, stages={"staging": StageRun.Status.FAILED})
    assert policy.can_promote(repository.pipeline, digest=DIGEST, environment="staging").allowed
    refused = policy.can_promote(repository.pipeline, digest=DIGEST, environment="production")
    assert refused.reasons == ["Stage staging has not passed for this artifact (run 2: failed)."]
    unknown = policy.can_promote(repository.pipeline, digest=OTHER, environment="production")
    assert unknown.reasons == ["No run of orders packaged the artifact sha256:bbbbbbbbbbbb."]


def test_bad_digest_and_unknown_environment_are_field_errors(repository):
    with pytest.raises(ValidationError) as bad:
        policy.can_promote(repository.pipeline, digest="sha256:xyz", environment="production")
    with pytest.raises(ValidationError) as unknown:
        policy.can_promote(repository.pipeline, digest=DIGEST, environment="moon")
    assert "artifact" in bad.value.message_dict
    assert "known: staging, production" in unknown.value.message_dict["environment"][0]


def test_tier_one_production_needs_an_approval_by_the_owning_team(
    repository, service, member, outsider
):
    service.tier = 1
    service.save()
    repository.pipeline.service = service
    repository.pipeline.save()
    passed_run(repository.pipeline)
    refused = policy.can_promote(repository.pipeline, digest=DIGEST, environment="production")
    assert refused.reasons == ["A person must approve this artifact for production."]
    assert policy.can_promote(repository.pipeline, digest=DIGEST, environment="staging").allowed

    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.approve(repository.pipeline, environment="production", digest=DIGEST,
                        actor=outsider, via=Interface.API)  # fmt: skip
    actions.approve(repository.pipeline, environment="production", digest=DIGEST,
                    actor=member, via=Interface.API, comment="Go")  # fmt: skip
    assert policy.can_promote(repository.pipeline, digest=DIGEST, environment="production").allowed


def test_the_definition_decides_approval_over_the_tier(repository, service):
    service.tier = 1
    service.save()
    pipeline = repository.pipeline
    pipeline.service = service
    pipeline.definition = {
        "spec": {
            "environments": {
                "production": {"requires_approval": False},
                "staging": {"requires_approval": True},
            }
        }
    }
    pipeline.save()
    passed_run(pipeline)
    assert policy.can_promote(pipeline, digest=DIGEST, environment="production").allowed
    assert not policy.can_promote(pipeline, digest=DIGEST, environment="staging").allowed


def test_an_open_breaking_version_of_a_provided_api_holds_production(repository, service):
    repository.pipeline.service = service
    repository.pipeline.save()
    passed_run(repository.pipeline)
    api = ApiFactory(slug="orders-api", provider=service)
    version = ApiVersionFactory(api=api, version="2.0.0")
    release = BreakingRelease.objects.create(api=api, version=version)
    refused = policy.can_promote(repository.pipeline, digest=DIGEST, environment="production")
    assert len(refused.reasons) == 1 and refused.reasons[0].startswith(
        "API orders-api 2.0.0 breaks"
    )
    release.state = BreakingRelease.State.RELEASED
    release.save()
    assert policy.can_promote(repository.pipeline, digest=DIGEST, environment="production").allowed


def test_rest_can_promote_answers_with_reasons_and_field_errors(member_client, repository):
    passed_run(repository.pipeline, stages={"bake": StageRun.Status.FAILED})
    url = "/api/v1/pipelines/orders/can-promote/"
    ok = member_client.get(url, {"artifact": f"sha256:{DIGEST}", "environment": "staging"})
    no = member_client.get(url, {"artifact": DIGEST, "environment": "production"})
    bad = member_client.get(url, {"artifact": "nope", "environment": "production"})
    moon = member_client.get(url, {"artifact": DIGEST, "environment": "moon"})
    assert ok.status_code == 200 and ok.json() == {"allowed": True, "reasons": []}
    assert no.status_code == 200 and no.json()["allowed"] is False
    assert "bake" in no.json()["reasons"][0]
    assert bad.status_code == 400 and "artifact" in bad.json()
    assert moon.status_code == 400 and "environment" in moon.json()
    assert (
        member_client.get(
            "/api/v1/pipelines/nothing/can-promote/", {"artifact": DIGEST}
        ).status_code
        == 404
    )


def test_rest_approval_is_an_action_with_history(member_client, api_client, outsider, repository):
    from portal.models import ChangeRecord

    url = "/api/v1/pipelines/orders/environments/production/approvals/"
    created = member_client.post(url, {"artifact": DIGEST, "comment": "ok"}, format="json")
    again = member_client.post(url, {"artifact": DIGEST}, format="json")
    api_client.force_authenticate(outsider)
    refused = api_client.post(url, {"artifact": OTHER}, format="json")
    unknown = member_client.post("/api/v1/pipelines/orders/environments/moon/approvals/",
                                 {"artifact": DIGEST}, format="json")  # fmt: skip
    assert created.status_code == 201 and created.json()["approver"]
    assert again.status_code == 400
    assert refused.status_code == 403 and unknown.status_code == 400
    assert ChangeRecord.objects.filter(content_type__model="approval").count() == 1


def test_graphql_can_promote_and_approve(client, member, repository):
    from tests.graphql.conftest import GraphQLClient

    client.force_login(member)
    gql = GraphQLClient(client)
    passed_run(repository.pipeline)
    ask = 'query($a: String!, $e: String) { canPromote(pipeline: "orders", artifact: $a, environment: $e) { allowed reasons } }'
    assert gql(ask, {"a": DIGEST})["canPromote"] == {"allowed": True, "reasons": []}
    bad = gql.post(ask, {"a": DIGEST, "e": "moon"}).json()
    assert "environment" in bad["errors"][0]["message"]
    approve = """mutation($input: ApproveArtifactInput!) { approveArtifact(input: $input) {
      approval { environment approver } errors { field messages } } }"""
    done = gql(
        approve, {"input": {"pipeline": "orders", "environment": "production", "artifact": DIGEST}}
    )
    assert done["approveArtifact"]["approval"] == {
        "environment": "production",
        "approver": member.username,
    }
    wrong = gql(
        approve, {"input": {"pipeline": "orders", "environment": "production", "artifact": "x"}}
    )
    assert wrong["approveArtifact"]["errors"][0]["field"] == "artifact"
