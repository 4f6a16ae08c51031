"""A bounded schemathesis run over the OpenAPI document /api/v1/schema/ serves.

Every operation gets its schema examples and generated requests, valid and invalid, sent
through the whole Django stack (middleware included) with a staff user's token over a small
catalog. No response may be a 5xx, and each must keep to the document: a documented status
code, content type, headers and body schema; invalid data must be refused; and the operation
must refuse a request whose credentials are missing or wrong.

Seeded and derandomized, so a run is the same every time and a failure reproduces. For a
deeper run, enable the coverage phase below: it passes too (about 4,000 requests, a minute).
"""

import copy

import pytest
import schemathesis
import yaml
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.core.media_types import YAML_MEDIA_TYPES

from accounts.factories import ApiTokenFactory
from portal.wsgi import application
from tests.api.document import served_document

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 8,
        "base-url": "http://localhost",
        "generation": {
            "max-examples": 5,
            "deterministic": True,
            "database": "none",
            "with-security-parameters": False,
        },
        # Schema examples and generated requests: about 400 requests in all. The coverage
        # phase (every boundary of every parameter) sends ten times as many.
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "checks": {
            # Schema-valid data can still name a team or service that does not exist, which is
            # a 400 field error; the document cannot say which slugs exist.
            "positive_data_acceptance": {"enabled": False},
        },
    }
)


@schemathesis.deserializer(*YAML_MEDIA_TYPES)
def yaml_stream(ctx, response):
    """application/yaml may hold several documents (RFC 9512), as the export's does; the
    built-in reader expects one."""
    return list(yaml.safe_load_all(response.content.decode(response.encoding or "utf-8")))


schema = schemathesis.openapi.from_dict(copy.deepcopy(served_document()), config=CONFIG)
schema.app = application  # requests, and the checks' own probes, go through the WSGI app


@pytest.fixture
def connection_kept():
    """As Django's test client does: the end of a request must not close the database
    connection that holds the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def credentials(world, staff, connection_kept) -> dict:
    """A token for staff (who may write anything, so that the input decides the answer)."""
    return {"Authorization": f"Token {ApiTokenFactory(user=staff).key}"}


@pytest.mark.django_db
@schema.parametrize()
# The catalog and the token are made once per operation; requests may change the catalog,
# and later requests see those changes, as a real client would.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_keeps_to_the_document(case, credentials):
    case.call_and_validate(headers=credentials)
