"""The pipeline definitions written into every repository: valid YAML, the five stages, the
rules (promote only on success, failed tests roll back, a failed bake stops)."""

import pytest
import yaml
from django.core.exceptions import ValidationError

from scaffolding import pipelines
from scaffolding.registry import get_template

from .conftest import http_params

STAGES = ["build", "package", "staging", "bake", "production"]


@pytest.fixture
def files(tmp_path):
    template = get_template("python-http-service")
    params = template.validate(http_params(), teams=["payments"])
    pipelines.write_delivery_files(
        tmp_path,
        slug="orders",
        parameters=params,
        template=template,
        repository_url="http://x/git/orders.git",
    )
    return {path: yaml.safe_load((tmp_path / path).read_text()) for path in (
        pipelines.NATIVE_PATH, pipelines.GITHUB_PATH, pipelines.GITLAB_PATH, pipelines.DESCRIPTOR_PATH
    )}  # fmt: skip


def test_the_native_definition_has_the_stages_and_rules(files):
    spec = files[pipelines.NATIVE_PATH]["spec"]
    assert [s["name"] for s in spec["stages"]] == STAGES
    rules = {s["name"]: (s["on_success"], s["on_failure"]) for s in spec["stages"]}
    assert rules == {
        "build": ("promote", "stop"),
        "package": ("promote", "stop"),
        "staging": ("promote", "rollback"),
        "bake": ("promote", "stop"),
        "production": ("done", "rollback"),
    }


def test_github_actions_chains_the_stages_on_success(files):
    workflow = files[pipelines.GITHUB_PATH]
    jobs = workflow["jobs"]
    # The key is written quoted, so YAML 1.1 readers do not turn `on` into True
    assert workflow["on"] == {"push": {"branches": ["main"]}, "pull_request": {}}
    assert "needs" not in jobs["build"]
    assert jobs["package"]["needs"] == "build"
    assert jobs["staging"]["needs"] == "package"
    assert jobs["bake"]["needs"] == "staging"
    assert jobs["production"]["needs"] == "bake"  # production only after a good bake
    assert any("unittest" in step.get("run", "") for step in jobs["build"]["steps"])
    assert any("ci/package.py" in step.get("run", "") for step in jobs["package"]["steps"])


def test_github_actions_rolls_back_failed_deployments_and_stops_on_a_failed_bake(files):
    jobs = files[pipelines.GITHUB_PATH]["jobs"]
    assert jobs["rollback-staging"]["if"] == "${{ failure() && needs.staging.result == 'failure' }}"
    assert jobs["rollback-production"]["needs"] == "production"
    assert not any(job.get("needs") == "bake" and "rollback" in name for name, job in jobs.items())
    assert {j["environment"] for j in jobs.values() if "environment" in j} == {
        "staging",
        "production",
    }


def test_gitlab_ci_has_the_same_stages_and_rules(files):
    ci = files[pipelines.GITLAB_PATH]
    assert ci["stages"] == STAGES
    assert ci["package"]["needs"] == ["build"] and ci["package"]["artifacts"]["paths"] == ["dist/"]
    assert ci["bake"]["needs"] == ["staging"] and ci["production"]["needs"] == ["bake"]
    assert ci["rollback-staging"]["when"] == "on_failure" and ci["rollback-staging"]["needs"] == [
        "staging"
    ]
    assert ci["rollback-production"]["when"] == "on_failure"


def test_the_descriptor_names_owner_template_api_and_pipeline(files):
    spec = files[pipelines.DESCRIPTOR_PATH]["spec"]
    assert spec["owner"] == "payments"
    assert spec["pipeline"] == ".keel/pipeline.yaml"
    assert spec["providesApis"] == [
        {"name": "orders-api", "type": "openapi", "definition": "openapi.yaml"}
    ]
    assert spec["template"] == {"name": "python-http-service", "version": "1.3.0"}


def test_user_text_cannot_inject_yaml(tmp_path):
    template = get_template("python-http-service")
    params = template.validate(
        http_params(name="x\nspec:\n  owner: attackers", description="a: b\n- c"),
        teams=["payments"],
    )
    pipelines.write_delivery_files(
        tmp_path, slug="orders", parameters=params, template=template, repository_url=""
    )
    descriptor = yaml.safe_load((tmp_path / pipelines.DESCRIPTOR_PATH).read_text())
    assert descriptor["spec"]["owner"] == "payments"
    assert descriptor["metadata"]["title"] == "x\nspec:\n  owner: attackers"


def test_the_definition_carries_the_bake_settings_and_every_ci_bakes_alike(files, settings):
    bake = files[pipelines.NATIVE_PATH]["spec"]["bake"]
    assert bake == {
        "seconds": settings.KEEL_DELIVERY_BAKE_SECONDS,
        "interval_seconds": settings.KEEL_DELIVERY_BAKE_INTERVAL_SECONDS,
        "thresholds": {
            "error_rate": 0.01,
            "throttle_rate": 0.05,
            "p99_ms": 500,
            "min_requests": 20,
        },
    }
    command = files[pipelines.NATIVE_PATH]["spec"]["commands"]["bake"]
    assert command == (
        "python ci/deploy.py bake --environment staging --seconds 600 --interval 5 "
        "--error-rate 0.01 --throttle-rate 0.05 --p99-ms 500 --min-requests 20"
    )
    steps = files[pipelines.GITHUB_PATH]["jobs"]["bake"]["steps"]
    github = next(step["run"] for step in steps if "deploy.py bake" in step.get("run", ""))
    assert github == command == files[pipelines.GITLAB_PATH]["bake"]["script"][0]
    assert pipelines.bake_settings(files[pipelines.NATIVE_PATH]) == bake


def test_missing_bake_settings_take_the_defaults(settings):
    settings.KEEL_DELIVERY_BAKE_SECONDS = 42
    bake = pipelines.bake_settings({"spec": {"bake": {"thresholds": {"p99_ms": 250}}}})
    assert bake["seconds"] == 42 and bake["interval_seconds"] == 5
    assert bake["thresholds"] == {
        "error_rate": 0.01, "throttle_rate": 0.05, "p99_ms": 250, "min_requests": 20,
    }  # fmt: skip
    assert pipelines.bake_settings({}) == pipelines.bake_defaults()


@pytest.mark.parametrize(
    "bake, message",
    [
        (
            {"thresholds": {"error_rate": "low"}},
            "thresholds.error_rate (the highest 5xx rate, a "
            "fraction such as 0.01) must be a number, not 'low'.",
        ),
        (
            {"thresholds": {"p99_ms": -1}},
            "thresholds.p99_ms (the highest p99 latency in milliseconds) must not be negative "
            "(it is -1).",
        ),
        (
            {"thresholds": {"throttle_rate": 5}},
            "throttle_rate (the highest 429 rate, a fraction such as 0.05) must be at most 1 "
            "(it is 5).",
        ),
        ({"thresholds": {"min_requests": 2.5}}, "must be a whole number (it is 2.5)."),
        ({"thresholds": {"error_rate": True}}, "must be a number, not True."),
        ({"thresholds": {"error_rate": float("nan")}}, "must be a number, not nan."),
        ({"thresholds": {"latency": 3}}, "spec.bake.thresholds has unknown keys: latency"),
        ({"thresholds": [1]}, "spec.bake.thresholds must be a mapping"),
        ({"seconds": 86400}, "spec.bake.seconds must be at most 1500 (it is 86400)."),
        ({"seconds": "10m"}, "spec.bake.seconds must be a number, not '10m'."),
        ({"interval_seconds": 0}, "spec.bake.interval_seconds must be more than 0."),
        ({"interval_seconds": 30, "seconds": 10}, "interval_seconds must be at most 10"),
        ({"minutes": 10}, "spec.bake has unknown keys: minutes."),
        ("ten minutes", "spec.bake must be a mapping"),
    ],
)
def test_bad_bake_settings_are_refused_with_the_reason(bake, message):
    with pytest.raises(ValidationError) as error:
        pipelines.bake_settings({"spec": {"bake": bake}})
    assert message in error.value.messages[0]


def test_a_pipeline_whose_bake_block_is_bad_is_not_created(team, member):
    from portal.models import Interface
    from scaffolding import actions
    from scaffolding.models import Pipeline, ScaffoldRun

    run = ScaffoldRun.objects.create(
        slug="orders", template="python-http-service", template_version="1.3.0",
        owner_team=team, requested_by=member,
    )  # fmt: skip
    definition = {"spec": {"stages": [], "bake": {"seconds": -5}}}

    with pytest.raises(ValidationError, match="spec.bake.seconds must not be negative"):
        actions.create_pipeline(
            run, definition=definition, ci_url="", actor=member, via=Interface.JOB
        )
    assert not Pipeline.objects.exists()


def test_each_stage_reports_to_keel_and_production_asks_first(files):
    jobs = files[pipelines.GITHUB_PATH]["jobs"]
    for stage in STAGES:
        runs = [step.get("run", "") for step in jobs[stage]["steps"]]
        assert f"python ci/report.py task started {stage}" in runs
        assert (
            runs[-1] == f"python ci/report.py task finished {stage} --outcome ${{{{ job.status }}}}"
        )
        assert jobs[stage]["steps"][-1]["if"].startswith("always()")
    production = [step.get("run", "") for step in jobs["production"]["steps"]]
    assert production.index("python ci/report.py can-promote production") < production.index(
        "python ci/deploy.py deploy --environment production"
    )
    assert "python ci/report.py artifact" in [s.get("run") for s in jobs["package"]["steps"]]
    assert "KEEL_EVENTS_SECRET" in files[pipelines.GITHUB_PATH]["env"]
    ci = files[pipelines.GITLAB_PATH]
    for stage in STAGES:
        assert ci[stage]["after_script"] == [f"python ci/report.py task finished {stage}"]
    assert ci["production"]["script"][0] == "python ci/report.py can-promote production"
    assert ci["report-failed"]["rules"][0]["when"] == "on_failure"
