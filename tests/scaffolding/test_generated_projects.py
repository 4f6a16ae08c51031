"""Each shipped template renders a project whose own unit tests pass out of the box, and
whose packaging step writes an artifact with a provenance record."""

import json
import os
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request

import pytest

from delivery.bake import read_metrics
from scaffolding import pipelines
from scaffolding.registry import get_template
from scaffolding.rendering import render

from .conftest import http_params, worker_params


def generate(slug, params, folder):
    template = get_template(slug)
    values = template.validate(params, teams=["payments"])
    render(template, values, folder)
    pipelines.write_delivery_files(
        folder, slug=values["slug"], parameters=values, template=template, repository_url=""
    )
    return folder


def run(args, cwd, **env):
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **env},
    )  # fmt: skip


def test_the_worker_project_passes_its_tests_and_packages(tmp_path):
    project = generate("python-worker", worker_params(), tmp_path / "order-events")

    tested = run([sys.executable, "-m", "unittest", "discover", "-s", "tests"], project)
    assert tested.returncode == 0, tested.stderr
    assert "Ran 4 tests" in tested.stderr

    packaged = run([sys.executable, "ci/package.py"], project)
    assert packaged.returncode == 0, packaged.stderr
    provenance = json.loads((project / "dist" / "provenance.json").read_text())
    assert provenance["service"] == "order-events" and provenance["dependencies"] == []
    with tarfile.open(project / "dist" / provenance["artifact"]["file"]) as tar:
        names = tar.getnames()
    assert "order-events/order_events/consumer.py" in names
    assert not any("/tests/" in n for n in names)


@pytest.fixture(scope="module")
def bottle_wheel(tmp_path_factory):
    """The pinned run-time dependency, fetched once with pip --require-hashes (needs PyPI)."""
    folder = tmp_path_factory.mktemp("wheels")
    requirements = get_template("python-http-service").path / "template" / "requirements.txt"
    fetched = run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--require-hashes", "--no-deps",
         "--only-binary=:all:", "-r", str(requirements), "-d", str(folder)],
        folder,
    )  # fmt: skip
    if fetched.returncode != 0:
        message = f"PyPI is not reachable: {fetched.stderr[-300:]}"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)  # CI must not pass without having run the generated tests
        pytest.skip(message)
    return next(folder.glob("bottle-*.whl"))


def test_the_http_project_passes_its_tests_and_packages_with_provenance(tmp_path, bottle_wheel):
    project = generate("python-http-service", http_params(), tmp_path / "orders")

    tested = run(
        [sys.executable, "-m", "unittest", "discover", "-s", "tests"],
        project,
        PYTHONPATH=str(bottle_wheel),
    )
    assert tested.returncode == 0, tested.stderr
    assert "Ran 9 tests" in tested.stderr

    packaged = run([sys.executable, "ci/package.py"], project)
    assert packaged.returncode == 0, packaged.stderr
    provenance = json.loads((project / "dist" / "provenance.json").read_text())
    assert provenance["dependencies"] == [
        {
            "name": "bottle",
            "version": "0.13.4",
            "file": "bottle-0.13.4-py2.py3-none-any.whl",
            "sha256": "045684fbd2764eac9cdeb824861d1551d113e8b683d8d26e296898d3dd99a12e",
        }
    ]
    verified = run([sys.executable, "ci/deploy.py", "deploy", "--environment", "staging"], project)
    assert (
        verified.returncode == 0 and "deploying orders-0.1.0.tar.gz to staging" in verified.stdout
    )
    smoke = run([sys.executable, "ci/deploy.py", "smoke", "--environment", "staging"], project)
    assert smoke.returncode == 0


def test_the_openapi_document_is_valid_and_matches_the_catalog_rules(tmp_path):
    from catalog.specs import validate_spec

    project = generate(
        "python-http-service", http_params(name='Orders "quoted" <b>'), tmp_path / "orders"
    )
    validate_spec("openapi", (project / "openapi.yaml").read_text())


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def serving(tmp_path, bottle_wheel):
    """The generated HTTP service, running as ``python -m orders`` on a free port."""
    project = generate("python-http-service", http_params(), tmp_path / "orders")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(bottle_wheel), "HOST": "127.0.0.1", "PORT": str(port)}
    process = subprocess.Popen([sys.executable, "-m", "orders"], cwd=project, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if get(f"{url}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)
        yield project, url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_running_http_service_counts_its_requests_for_the_bake(serving):
    project, url = serving
    for _ in range(25):
        assert get(f"{url}/v1/info")[0] == 200
    assert get(f"{url}/nope")[0] == 404

    status, text = get(f"{url}/metrics")
    requests, buckets = read_metrics(text)  # Keel's reading of it
    assert status == 200 and requests == {"200": 25, "404": 1}  # probes are not counted
    assert buckets[float("inf")] == 26 and buckets[0.5] == 26

    baked = subprocess.run(
        [sys.executable, "ci/deploy.py", "bake", "--environment", "staging", "--seconds", "0.4",
         "--interval", "0.2", "--min-requests", "1"],
        cwd=project, capture_output=True, text=True, timeout=60, env={"STAGING_URL": url},
    )  # fmt: skip
    assert baked.returncode == 0, baked.stdout + baked.stderr
    assert "staging baked 0.4 s within the thresholds" in baked.stdout
