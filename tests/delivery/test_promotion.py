"""The embedded runner obeys ``delivery.policy``: a tier 1 service's production waits for an
approval of the artifact, a breaking API release still waiting for its consumers holds it,
and a refused production stage deploys nothing and says what to do."""

import pytest

from catalog.factories import ApiFactory, ApiVersionFactory
from contracts.models import BreakingRelease
from delivery import actions
from delivery.models import Deployment, PipelineRun, StageRun
from portal.models import Interface

pytestmark = pytest.mark.usefixtures("eager_celery")


def start(repository, member, capture, commit=None):
    with capture(execute=True):
        run = actions.start_run(repository.pipeline, actor=member, via=Interface.API,
                                commit=commit)  # fmt: skip
    run.refresh_from_db()
    return run


def stages_of(run):
    return {s.name: s for s in run.stages.all()}


def production_deployments(repository):
    return Deployment.objects.filter(
        environment__pipeline=repository.pipeline, environment__name="production"
    )


@pytest.fixture
def tier_one(repository, service):
    service.tier = 1
    service.save()
    repository.pipeline.service = service
    repository.pipeline.save()
    return service


def test_tier_one_production_waits_for_an_approval_of_the_digest(
    repository, tier_one, member, django_capture_on_commit_callbacks
):
    refused = start(repository, member, django_capture_on_commit_callbacks)
    stages = stages_of(refused)
    digest = refused.artifact.digest
    assert refused.status == PipelineRun.Status.FAILED
    assert stages["bake"].status == StageRun.Status.SUCCEEDED, stages["bake"].log
    assert stages["production"].status == StageRun.Status.FAILED
    assert stages["production"].result == {
        "policy": "refused",
        "reasons": ["A person must approve this artifact for production."],
    }
    assert refused.message.startswith(
        f"Production needs an approval: approve sha256:{digest} on the run page, then run the "
        f"pipeline again for this commit ({refused.short_commit})."
    )
    assert not production_deployments(repository).exists()

    actions.approve(repository.pipeline, environment="production", digest=digest,
                    actor=member, via=Interface.UI)  # fmt: skip
    again = start(repository, member, django_capture_on_commit_callbacks,
                  commit=refused.commit_sha)  # fmt: skip
    assert again.status == PipelineRun.Status.SUCCEEDED, again.message
    assert again.artifact.digest == digest
    live = production_deployments(repository).get()
    assert live.status == Deployment.Status.LIVE and live.run_id == again.pk


def test_a_breaking_api_release_waiting_for_consumers_holds_production(
    repository, service, member, django_capture_on_commit_callbacks
):
    repository.pipeline.service = service
    repository.pipeline.save()
    api = ApiFactory(slug="orders-api", provider=service)
    BreakingRelease.objects.create(api=api, version=ApiVersionFactory(api=api, version="2.0.0"))

    run = start(repository, member, django_capture_on_commit_callbacks)
    stages = stages_of(run)
    assert run.status == PipelineRun.Status.FAILED
    assert stages["staging"].status == StageRun.Status.SUCCEEDED
    assert stages["production"].result["policy"] == "refused"
    assert run.message.startswith(
        "The policy keeps this artifact out of production. API orders-api"
    )
    assert run.message.endswith("once that is resolved.")
    assert not production_deployments(repository).exists()
