"""A breaking publish with two consumer teams, eager Celery, and a local HTTP server that
records what webhooks receive."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from catalog.factories import ApiConsumptionFactory, ServiceFactory
from portal.celery import app as celery_app
from teams.factories import MembershipFactory, TeamFactory
from tests.contracts.conftest import *  # noqa: F403 (the API, its provider and the shop consumer)


@pytest.fixture(autouse=True)
def eager_celery(settings):
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.KEEL_NOTIFY_RETRY_BASE_SECONDS = 0
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture
def search_team(db):
    return TeamFactory(slug="search-team", name="Search")


@pytest.fixture
def search_member(search_team):
    return MembershipFactory(team=search_team).user


@pytest.fixture
def two_consumers(api, shop_consumes, search_team):
    search = ServiceFactory(slug="search-web", owner_team=search_team)
    return {
        "shop": shop_consumes,
        "search": ApiConsumptionFactory(consumer=search, api=api, version_requirement="^1"),
    }


class Receiver:
    """What a webhook receiver got: each request's headers and body; answers ``codes`` in
    turn (then 200)."""

    def __init__(self):
        self.requests = []
        self.codes = []

    def handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((self.path, dict(self.headers), body))
                code = receiver.codes.pop(0) if receiver.codes else 200
                self.send_response(code)
                self.end_headers()
                self.wfile.write(json.dumps({"ok": code == 200}).encode())

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def receiver(settings):
    settings.KEEL_NOTIFY_WEBHOOK_ALLOW_PRIVATE = True
    found = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), found.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    found.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield found
    server.shutdown()
    server.server_close()
