"""The contract check every scaffolded pipeline runs (``ci/contract_check.py``), run as the
CI system runs it: a process asking a live Keel with a read-only token."""

import json
import os
import subprocess
import sys

import pytest

from accounts.factories import ApiTokenFactory
from catalog.factories import ApiConsumptionFactory, ApiFactory, ApiVersionFactory, ServiceFactory
from catalog.models import Api
from scaffolding import pipelines
from scaffolding.registry import get_template
from tests.contracts.conftest import SDL_ADDITIVE, SDL_BREAKING, SDL_V1

from .conftest import http_params

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def project(tmp_path):
    """A scaffolded repository's delivery files, its API definition replaced by SDL."""
    template = get_template("python-http-service")
    params = template.validate(http_params(), teams=["payments"])
    pipelines.write_delivery_files(
        tmp_path, slug="pets", parameters=params, template=template, repository_url="http://x"
    )
    service = json.loads((tmp_path / ".keel" / "service.json").read_text())
    assert service["apis"] == [{"name": "pets-api", "definition": "openapi.yaml"}]
    service["apis"] = [{"name": "pets-api", "definition": "schema.graphql"}]
    (tmp_path / ".keel" / "service.json").write_text(json.dumps(service))
    return tmp_path


@pytest.fixture
def keel(live_server, team, member):
    provider = ServiceFactory(slug="pets", owner_team=team, tier=2)
    api = ApiFactory(slug="pets-api", provider=provider, type=Api.Type.GRAPHQL)
    ApiVersionFactory(api=api, version="1.0.0", spec=SDL_V1)
    ApiConsumptionFactory(consumer=ServiceFactory(slug="shop-web"), api=api)
    token = ApiTokenFactory(user=member, name="ci", scope="read")
    return {"KEEL_URL": live_server.url, "KEEL_TOKEN": token.key}


def run(project, env, *args):
    return subprocess.run(
        [sys.executable, "ci/contract_check.py", *args],
        cwd=project,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_breaking_change_without_a_major_version_fails_the_build(project, keel):
    (project / "schema.graphql").write_text(SDL_BREAKING)
    result = run(project, keel, "--version", "1.1.0")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "pets-api 1.1.0: breaking (compared with 1.0.0)" in result.stdout
    assert "breaking: Query.pet: Query.pet was removed." in result.stdout
    assert "affects shop-web" in result.stdout and "refused (version)" in result.stdout


def test_the_same_change_under_a_new_major_passes_and_a_compatible_one_too(project, keel):
    (project / "schema.graphql").write_text(SDL_BREAKING)
    assert run(project, keel, "--version", "2.0.0").returncode == 0
    (project / "schema.graphql").write_text(SDL_ADDITIVE)
    result = run(project, keel, "--version", "1.1.0")
    assert result.returncode == 0 and "non-breaking" in result.stdout


def test_without_keel_or_with_a_bad_token_the_check_cannot_pass(project, keel):
    (project / "schema.graphql").write_text(SDL_ADDITIVE)
    assert run(project, {}).returncode == 2
    result = run(project, {**keel, "KEEL_TOKEN": "keel_nope"})
    assert result.returncode == 2 and "HTTP 401" in result.stdout


def test_every_pipeline_runs_the_contract_check_after_the_unit_tests(project):
    import yaml

    github = yaml.safe_load((project / pipelines.GITHUB_PATH).read_text())
    steps = github["jobs"]["build"]["steps"]
    runs = [step.get("run") for step in steps]
    # the last step of the build's own, before it reports how the build went
    assert runs[-2] == pipelines.CONTRACT_CHECK and "report.py task finished" in runs[-1]
    assert steps[-2]["env"]["KEEL_TOKEN"] == "${{ secrets.KEEL_TOKEN }}"
    gitlab = yaml.safe_load((project / pipelines.GITLAB_PATH).read_text())
    assert gitlab["build"]["script"][-1] == pipelines.CONTRACT_CHECK
    native = yaml.safe_load((project / pipelines.NATIVE_PATH).read_text())["spec"]
    assert native["commands"]["contract"] == pipelines.CONTRACT_CHECK
    assert "contract check" in native["stages"][0]["steps"]
