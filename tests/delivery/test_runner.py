"""The embedded runner for real: export, virtual environment, dependencies, the project's
unit tests, and the content-addressed artifact with its provenance."""

import json
import tarfile

import pytest

from delivery import actions
from delivery.models import Artifact, PipelineRun, StageRun
from portal.models import Interface

from .conftest import FAILING_TEST, make_wheel, sha256

pytestmark = pytest.mark.usefixtures("eager_celery")


def start(repository, member, capture, **kwargs):
    with capture(execute=True):
        run = actions.start_run(repository.pipeline, actor=member, via=Interface.API, **kwargs)
    run.refresh_from_db()
    return run


def stages_of(run):
    return {s.name: s for s in run.stages.all()}


def test_a_run_builds_tests_packages_deploys_and_bakes(
    repository, member, django_capture_on_commit_callbacks, delivery_dirs
):
    run = start(repository, member, django_capture_on_commit_callbacks)

    stages = stages_of(run)
    assert run.status == PipelineRun.Status.SUCCEEDED, stages["build"].log
    assert stages["build"].status == StageRun.Status.SUCCEEDED
    assert "Ran 1 test" in stages["build"].log and "OK" in stages["build"].log
    assert stages["package"].status == StageRun.Status.SUCCEEDED
    for name in ("staging", "production"):
        assert stages[name].status == StageRun.Status.SUCCEEDED, stages[name].log
        assert stages[name].result["digest"] == run.artifact.digest
        assert stages[name].result["smoke"] == "passed"
    assert stages["bake"].status == StageRun.Status.SUCCEEDED, stages["bake"].log
    assert stages["bake"].result["verdict"] == "passed"
    assert run.message == "Every stage succeeded."
    assert not (delivery_dirs / "delivery-work" / str(run.pk)).exists()  # cleaned up


def test_a_failing_unit_test_fails_the_run_at_build(
    repository, member, django_capture_on_commit_callbacks
):
    repository.commit({"tests/test_works.py": FAILING_TEST})

    run = start(repository, member, django_capture_on_commit_callbacks)

    stages = stages_of(run)
    assert run.status == PipelineRun.Status.FAILED
    assert stages["build"].status == StageRun.Status.FAILED
    assert "AssertionError: 2 != 3" in stages["build"].log
    assert stages["package"].status == StageRun.Status.SKIPPED
    assert run.artifact is None and not Artifact.objects.exists()
    assert "unit tests failed" in run.message


def test_package_stores_a_content_addressed_artifact_with_hashed_dependencies(
    repository, member, django_capture_on_commit_callbacks, delivery_dirs
):
    wheel = make_wheel(delivery_dirs / "index", "tinydep", "1.2.3")
    repository.commit({
        "requirements.txt": f"tinydep==1.2.3 \\\n    --hash=sha256:{sha256(wheel)}\n",
        "tests/test_dep.py": "import unittest\nimport tinydep\n\n\nclass T(unittest.TestCase):\n"
        "    def test_version(self):\n        self.assertEqual(tinydep.VERSION, '1.2.3')\n",
    })  # fmt: skip

    run = start(repository, member, django_capture_on_commit_callbacks)

    assert run.status == PipelineRun.Status.SUCCEEDED, stages_of(run)["build"].log
    artifact = run.artifact
    stored = delivery_dirs / "artifacts" / artifact.digest / "artifact.tar.gz"
    assert sha256(stored) == artifact.digest and stored.stat().st_size == artifact.size
    assert artifact.path == f"artifacts/{artifact.digest}/artifact.tar.gz"
    with tarfile.open(stored) as tar:
        names = tar.getnames()
    assert "app/tests/test_dep.py" in names and "wheels/tinydep-1.2.3-py3-none-any.whl" in names
    provenance = json.loads((stored.parent / "provenance.json").read_text())
    assert provenance == artifact.provenance
    assert provenance["source"]["commit"] == run.commit_sha
    assert provenance["builder"]["name"] == "keel-embedded-runner" and provenance["built_at"]
    assert provenance["dependencies"] == [{
        "name": "tinydep", "version": "1.2.3", "file": wheel.name, "sha256": sha256(wheel),
    }]  # fmt: skip


def test_the_same_commit_packages_to_the_same_artifact(
    repository, member, django_capture_on_commit_callbacks
):
    first = start(repository, member, django_capture_on_commit_callbacks)
    second = start(repository, member, django_capture_on_commit_callbacks)

    assert second.number == first.number + 1
    assert second.artifact_id == first.artifact_id is not None
    assert Artifact.objects.count() == 1


def test_a_dependency_whose_hash_is_not_pinned_is_refused(
    repository, member, django_capture_on_commit_callbacks, delivery_dirs
):
    make_wheel(delivery_dirs / "index", "tinydep", "1.0")
    repository.commit({"requirements.txt": f"tinydep==1.0 --hash=sha256:{'0' * 64}\n"})

    run = start(repository, member, django_capture_on_commit_callbacks)

    assert run.status == PipelineRun.Status.FAILED
    assert "THESE PACKAGES DO NOT MATCH THE HASHES" in stages_of(run)["build"].log


def test_a_project_sees_none_of_the_portals_environment(
    repository, member, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "the-portal-secret")
    repository.commit({
        "tests/test_env.py": "import os\nimport unittest\n\n\nclass Env(unittest.TestCase):\n"
        "    def test_env(self):\n        print('ENV', sorted(os.environ))\n"
        "        self.assertNotIn('DJANGO_SECRET_KEY', os.environ)\n",
    })  # fmt: skip

    run = start(repository, member, django_capture_on_commit_callbacks)

    log = stages_of(run)["build"].log
    assert run.status == PipelineRun.Status.SUCCEEDED, log
    assert "ENV ['HOME', 'LANG', 'PATH']" in log and "the-portal-secret" not in log


def test_a_project_that_allocates_too_much_fails_at_build(
    repository, member, django_capture_on_commit_callbacks, settings
):
    settings.KEEL_DELIVERY_MEMORY_BYTES = 512 * 1024**2
    repository.commit({
        "tests/test_big.py": "import unittest\n\n\nclass Big(unittest.TestCase):\n"
        "    def test_big(self):\n        bytearray(1024 ** 3)\n",
    })  # fmt: skip

    run = start(repository, member, django_capture_on_commit_callbacks)

    assert run.status == PipelineRun.Status.FAILED
    assert "MemoryError" in stages_of(run)["build"].log


def test_a_project_whose_tests_run_too_long_is_stopped(
    repository, member, django_capture_on_commit_callbacks, settings
):
    settings.KEEL_DELIVERY_COMMAND_SECONDS = 5
    repository.commit({
        "tests/test_slow.py": "import time\nimport unittest\n\n\nclass Slow(unittest.TestCase):\n"
        "    def test_slow(self):\n        time.sleep(120)\n",
    })  # fmt: skip

    run = start(repository, member, django_capture_on_commit_callbacks)

    build = stages_of(run)["build"]
    assert run.status == PipelineRun.Status.FAILED
    assert "stopped after 5 s" in build.log and "timed out" in run.message
    assert build.duration_seconds < 60


def test_a_test_command_the_environment_lacks_fails_the_build_readably(
    repository, member, django_capture_on_commit_callbacks
):
    repository.pipeline.definition = {"spec": {"commands": {"test": "pytest -q"}}}
    repository.pipeline.save()

    run = start(repository, member, django_capture_on_commit_callbacks)

    assert run.status == PipelineRun.Status.FAILED
    assert "could not start pytest (No such file or directory)" in run.message
