"""Every log line of a request carries its id: the proxy's X-Request-ID (nginx's, also in its access
log and gunicorn's), or one made here; the answer names it too."""

import json
import logging

import pytest

from core.logging import RequestIdFilter, current_request_id

pytestmark = pytest.mark.django_db


def test_the_proxy_request_id_is_kept_and_answered(client):
    response = client.get("/healthz", headers={"X-Request-ID": "b3aa97066219f7a33dda44c6758eb8e4"})

    assert response["X-Request-ID"] == "b3aa97066219f7a33dda44c6758eb8e4"


@pytest.mark.parametrize("given", ["", "short", "bad id with spaces and more", "x" * 200])
def test_a_missing_or_malformed_id_is_replaced(client, given):
    response = client.get("/healthz", headers={"X-Request-ID": given} if given else {})

    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32


def test_log_records_get_the_current_request_id():
    record = logging.LogRecord("sferum", logging.INFO, __file__, 1, "hello", (), None)
    token = current_request_id.set("b3aa97066219f7a33dda44c6758eb8e4")
    try:
        RequestIdFilter().filter(record)
    finally:
        current_request_id.reset(token)

    assert record.request_id == "b3aa97066219f7a33dda44c6758eb8e4"


def test_the_json_line_has_the_request_id_and_a_time_with_its_offset(settings):
    from pythonjsonlogger.json import JsonFormatter

    options = {k: v for k, v in settings.LOGGING["formatters"]["json"].items() if k != "()"}
    record = logging.LogRecord("sferum", logging.INFO, __file__, 1, "hello", (), None)
    record.request_id = "b3aa97066219f7a33dda44c6758eb8e4"

    line = json.loads(JsonFormatter(**options).format(record))

    assert line["request_id"] == "b3aa97066219f7a33dda44c6758eb8e4"
    assert line["time"][-5] in "+-" and line["time"][-4:].isdigit(), line["time"]


def test_the_not_found_line_logged_after_the_middleware_has_the_request_id(client, caplog):
    """Django logs «Not Found» (django.request) once the middleware has returned: the id comes from the request."""
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/no-such-page/", headers={"X-Request-ID": "b3aa97066219f7a33dda44c6758eb8e4"})

    [record] = [r for r in caplog.records if r.name == "django.request"]
    RequestIdFilter().filter(record)
    assert record.request_id == "b3aa97066219f7a33dda44c6758eb8e4"
