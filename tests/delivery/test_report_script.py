"""The ``ci/report.py`` scaffolding writes, run as GitHub Actions runs it, against a live Keel:
each stage reported as a signed CDEvent, production asked first, and an unbaked artifact's
production deployment refused and recorded."""

import json
import os
import subprocess
import sys

import pytest

from accounts import actions as accounts
from delivery.models import PipelineRun, PolicyViolation
from portal.models import Interface
from scaffolding.pipelines import FILES_DIR

from .external import secret_for

DIGEST = "e" * 64


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "project"
    (folder / "ci").mkdir(parents=True)
    (folder / ".keel").mkdir()
    (folder / "dist").mkdir()
    (folder / "ci" / "report.py").write_text((FILES_DIR / "report.py").read_text())
    (folder / ".keel" / "service.json").write_text(
        json.dumps({"service": "orders", "version": "0.1.0"})
    )
    (folder / "dist" / "provenance.json").write_text(json.dumps({"artifact": {"sha256": DIGEST}}))
    dated = {**os.environ, "GIT_COMMITTER_DATE": "2026-12-01T20:00:00+00:00", "GIT_AUTHOR_NAME": "Ann",
             "GIT_AUTHOR_EMAIL": "ann@example.org", "GIT_COMMITTER_NAME": "Ann", "GIT_COMMITTER_EMAIL": "ann@example.org"}  # fmt: skip
    for command in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "one"]):
        subprocess.run(command, cwd=folder, env=dated, check=True, capture_output=True)
    return folder


@pytest.mark.django_db(transaction=True)
def test_github_actions_reports_reach_keel_and_production_is_refused(
    live_server, project, repository, member
):
    env = {
        "PATH": os.environ["PATH"],
        "KEEL_URL": live_server.url,
        "KEEL_EVENTS_SECRET": secret_for(repository.pipeline, member),
        "KEEL_TOKEN": accounts.create_token(
            actor=member, via=Interface.API, user=member, name="ci"
        ).key,
        "GITHUB_RUN_ID": "77",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_SHA": subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True, check=True
        ).stdout.strip(),  # fmt: skip
    }

    def report(*args):
        return subprocess.run([sys.executable, "ci/report.py", *args], cwd=project, env=env,
                              capture_output=True, text=True, timeout=60)  # fmt: skip

    steps = [
        ("pipeline", "started"), ("task", "started", "build"),
        ("task", "finished", "build", "--outcome", "success"), ("task", "started", "package"),
        ("artifact",), ("task", "finished", "package", "--outcome", "success"),
    ]  # fmt: skip
    for step in steps:
        done = report(*step)
        assert done.returncode == 0 and "Keel answered 202" in done.stdout, (
            step,
            done.stdout,
            done.stderr,
        )

    asked = report("can-promote", "production")
    deployed = report("deployed", "production")

    assert asked.returncode == 1 and "Stage staging has not passed" in asked.stdout
    assert deployed.returncode == 1 and "Keel answered 422" in deployed.stdout
    run = PipelineRun.objects.get(external_id="77-1")
    assert (
        run.committed_at.isoformat() == "2026-12-01T20:00:00+00:00"
        and run.commit_sha == env["GITHUB_SHA"]
    )
    stages = {s.name: s for s in run.stages.all()}
    assert stages["build"].status == "succeeded" and stages["package"].result["artifact"] == DIGEST
    assert PolicyViolation.objects.get().artifact_digest == DIGEST
    staging = report("can-promote", "staging")
    assert staging.returncode == 0 and "staging: allowed" in staging.stdout
    env["KEEL_EVENTS_SECRET"] = "forged"
    forged = report("task", "started", "staging")
    assert (
        forged.returncode == 0 and "Keel answered 403" in forged.stdout
    )  # a warning, not a failed build
