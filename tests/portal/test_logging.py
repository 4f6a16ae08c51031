"""Server logs: each line once, and an ordinary refusal without a traceback."""

import copy
import io
import logging.config

import pytest
from django.urls import reverse
from django.utils.log import DEFAULT_LOGGING


@pytest.fixture
def log(settings):
    """The portal's logging as the server configures it (Django's defaults, then LOGGING),
    with the console written to a buffer; DEBUG on, as under ``make run``."""
    settings.DEBUG = True
    stream = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(DEFAULT_LOGGING)
    logging.config.dictConfig(config)
    yield stream
    logging.config.dictConfig(DEFAULT_LOGGING)
    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.django_db
def test_a_forbidden_page_is_one_line_without_traceback(log, service, outsider, client):
    client.force_login(outsider)
    url = reverse("catalog:service-edit", args=[service.slug])

    assert client.get(url).status_code == 403

    (line,) = log.getvalue().splitlines()
    assert line.startswith("WARNING django.request [") and line.endswith(
        f"] Forbidden (Permission denied): {url}"
    )


@pytest.mark.django_db
def test_a_server_error_keeps_its_traceback(log):
    logging.getLogger("django.request").error(
        "Internal Server Error: /x", exc_info=ValueError("boom"), extra={"status_code": 500}
    )

    assert "ValueError: boom" in log.getvalue()
    assert log.getvalue().count("Internal Server Error: /x") == 1
