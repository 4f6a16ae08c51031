"""The pages of what Keel enforces: refused deployments and the events secret on the
pipeline's runs, the production verdict and the approval button on a run's page."""

from django.test import Client

from delivery.models import Approval, EventSecret, PolicyViolation, StageRun

from .external import DIGEST, passed_run


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_run_page_shows_the_verdict_and_approves_for_a_tier_one_service(
    repository, service, member, outsider
):
    service.tier = 1
    service.save()
    repository.pipeline.service = service
    repository.pipeline.save()
    run = passed_run(repository.pipeline)
    url = run.get_absolute_url()

    page = signed_in(member).get(url).content.decode()
    assert "may not be promoted to production yet" in page and "A person must approve" in page
    assert "Approve for production" in page
    assert "Approve for production" not in signed_in(outsider).get(url).content.decode()
    refused = signed_in(outsider).post(f"{url}approve/", {"comment": "sneaky"})
    assert refused.status_code == 302 and not Approval.objects.exists()

    approved = signed_in(member).post(f"{url}approve/", {"comment": "ship it"}, follow=True)
    page = approved.content.decode()
    assert Approval.objects.get().comment == "ship it"
    assert "may be promoted to production" in page and "Approve for production" not in page


def test_pipeline_runs_page_lists_violations_and_shows_a_new_secret_once(
    repository, member, outsider
):
    run = passed_run(repository.pipeline, stages={"bake": StageRun.Status.FAILED})
    env = repository.pipeline.environments.create(name="production", position=1)
    PolicyViolation.objects.create(pipeline=repository.pipeline, environment=env, artifact_digest=DIGEST,
                                   reasons=["Stage bake has not passed."], event_id="e1")  # fmt: skip
    url = f"/pipelines/{repository.pipeline.slug}/runs/"
    page = signed_in(member).get(url).content.decode()
    assert "Stage bake has not passed." in page and run.short_commit in page

    shown = signed_in(member).post(f"/pipelines/{repository.pipeline.slug}/events-secret/")
    secret = EventSecret.objects.get().secret
    assert shown.status_code == 200 and secret in shown.content.decode()
    assert secret not in signed_in(member).get(url).content.decode()
    assert (
        signed_in(outsider)
        .post(f"/pipelines/{repository.pipeline.slug}/events-secret/")
        .status_code
        == 403
    )
    assert EventSecret.objects.get().secret == secret
