"""Fixtures of the delivery tests: an isolated data folder, a Keel-hosted repository with a
pipeline, tiny projects to build, and eager Celery."""

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from dulwich.repo import Repo

from delivery.targets.embedded import PROCESS_FILE
from portal.celery import app as celery_app
from scaffolding.gitops import BRANCH, add_tree, author_line, make_commit
from scaffolding.models import Pipeline, PipelineStage
from scaffolding.pipelines import STAGES
from scaffolding.providers.local import LocalProvider, repository_path

PASSING_TEST = """import unittest


class Works(unittest.TestCase):
    def test_adds(self):
        self.assertEqual(1 + 1, 2)
"""

FAILING_TEST = PASSING_TEST.replace("1 + 1, 2", "1 + 1, 3")

# The fixture repository's service: ``python -m orders`` (the default start command) serves
# MESSAGE at /, answers /healthz with HEALTH and /metrics with the requests it served (for
# the bake), on HOST:PORT from the environment.
APP = """import http.server
import os

MESSAGE = "hello v1"
HEALTH = 200


class Handler(http.server.BaseHTTPRequestHandler):
    served = 0

    def do_GET(self):
        if self.path == "/healthz":
            status, body = HEALTH, b"ok"
        elif self.path == "/metrics":
            status, body = 200, f'http_requests_total{{code="200"}} {Handler.served}\\n'.encode()
        else:
            Handler.served += 1
            status, body = 200, MESSAGE.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


address = (os.environ["HOST"], int(os.environ["PORT"]))
http.server.ThreadingHTTPServer(address, Handler).serve_forever()
"""


def app(message="hello v1", health=200) -> dict:
    """The files of the fixture repository's service, serving ``message``."""
    text = APP.replace('"hello v1"', repr(message)).replace("HEALTH = 200", f"HEALTH = {health}")
    return {"orders/__init__.py": "", "orders/__main__.py": text}


@pytest.fixture(autouse=True)
def delivery_dirs(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.KEEL_REPOSITORY_ROOT = tmp_path / "repositories"
    settings.KEEL_DELIVERY_WORK_DIR = tmp_path / "delivery-work"
    settings.KEEL_DELIVERY_ARTIFACT_DIR = tmp_path / "artifacts"
    settings.KEEL_BASE_URL = "http://127.0.0.1:8000"
    settings.KEEL_DELIVERY_PIP_FIND_LINKS = str(tmp_path / "index")  # never the internet
    settings.KEEL_DELIVERY_RELEASE_DIR = tmp_path / "releases"
    settings.KEEL_DELIVERY_HEALTH_SECONDS = 3
    settings.KEEL_DELIVERY_DEPLOY_WAIT_SECONDS = 30
    settings.KEEL_DELIVERY_BAKE_SECONDS, settings.KEEL_DELIVERY_BAKE_INTERVAL_SECONDS = 0.6, 0.2
    yield tmp_path
    stop_releases(tmp_path / "releases")


def stop_releases(folder: Path) -> None:
    """Stop every release process a test started (the embedded target's ``process.json``),
    whatever the test left running."""
    from delivery import processes

    for found in sorted(folder.glob(f"*/{PROCESS_FILE}")):
        details = json.loads(found.read_text())
        processes.stop_group(details["pid"], details.get("start_ticks"), grace=1)


@pytest.fixture
def eager_celery():
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


def write_files(folder: Path, files: dict) -> Path:
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text) if isinstance(text, bytes) else path.write_text(text)
    return folder


class Repository:
    """A Keel-hosted repository and its pipeline; ``commit(files)`` adds a commit to main."""

    def __init__(self, slug, team, tmp_path):
        self.slug, self.tmp_path = slug, tmp_path
        self.provider = LocalProvider()
        self.info = self.provider.create(slug, run_id="0" * 8, description=slug)
        self.files = {}
        self.count = 0
        self.pipeline = Pipeline.objects.create(
            slug=slug,
            owner_team=team,
            repository_url=self.info.clone_url,
            definition={"spec": {"commands": {"test": "python -m unittest discover -s tests"}}},
        )
        PipelineStage.objects.bulk_create(
            PipelineStage(pipeline=self.pipeline, position=i, name=name, environment=env,
                          on_success=success, on_failure=failure, steps=steps)
            for i, (name, env, steps, success, failure) in enumerate(STAGES)
        )  # fmt: skip

    def commit(self, files: dict) -> str:
        """A commit of the files so far plus ``files`` on top of main (written directly;
        the push tests push over smart HTTP)."""
        self.count += 1
        self.files.update(files)
        folder = write_files(self.tmp_path / f"{self.slug}-{self.count}", self.files)
        with Repo(str(repository_path(self.slug))) as repo:
            parent = repo.refs.as_dict().get(BRANCH)
            tree = add_tree(repo.object_store, folder)
            commit = make_commit(
                repo.object_store, tree, message=f"Change {self.count}\n",
                author=author_line("Ann", "ann@example.org"),
            )  # fmt: skip
            if parent:
                commit.parents = [parent]
                repo.object_store.add_object(commit)
            repo.refs[BRANCH] = commit.id
        return commit.id.decode()


@pytest.fixture
def repository(team, tmp_path):
    """``orders``: a repository whose first commit has a passing unit test."""
    repo = Repository("orders", team, tmp_path)
    repo.commit({"tests/__init__.py": "", "tests/test_works.py": PASSING_TEST, **app()})
    return repo


def make_wheel(folder: Path, name: str, version: str) -> Path:
    """A real, minimal pure-Python wheel (what pip installs offline in these tests)."""
    folder.mkdir(parents=True, exist_ok=True)
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f'VERSION = "{version}"\n',
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: keel-tests\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = [f"{path},,\n" for path in files] + [f"{dist}/RECORD,,\n"]
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
        archive.writestr(f"{dist}/RECORD", "".join(record))
    wheel.write_bytes(buffer.getvalue())
    return wheel


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
