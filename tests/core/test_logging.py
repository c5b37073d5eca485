"""Structured logs: one JSON object per line in production, secrets masked everywhere."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.logging import RedactSecretsFilter, redact

BASE_DIR = Path(__file__).resolve().parents[2]

LOG_SCRIPT = """
import logging
import django
django.setup()
log = logging.getLogger("sferum.check")
log.warning("sending code=%s to %s", "864209", "+79161234567")
try:
    raise ValueError("gateway said token=tok_abcdef123456")
except ValueError:
    log.exception("Код для входа: 864209 не отправлен")
# How Celery logs a finished task: its arguments as %-args and as extra data.
context = {"name": "notifications.tasks.send_message", "kwargs": "{'context': {'code': '864209'}}"}
logging.getLogger("celery.app.trace").info("Task %(name)s succeeded", context, extra={"data": context})
"""


def _run_logging(extra_env: dict[str, str]) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_ENV", "LOG_JSON", "DJANGO_SETTINGS_MODULE")
    }
    env.update({"DJANGO_SETTINGS_MODULE": "sferum_admin.settings", "DATABASE_URL": "sqlite:///:memory:"})
    env.update(extra_env)
    result = subprocess.run(
        [sys.executable, "-c", LOG_SCRIPT], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


@pytest.mark.parametrize(
    "extra_env",
    [
        {
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": "x" * 50,
            "MFA_ENCRYPTION_KEY": "A" * 43 + "=",
            "DJANGO_ALLOWED_HOSTS": "sferum.example.org",
        },
        {"LOG_JSON": "true"},
    ],
    ids=["production", "LOG_JSON"],
)
@pytest.mark.slow
def test_each_log_record_is_one_json_line(extra_env):
    output = _run_logging(extra_env)

    records = [json.loads(line) for line in output.splitlines()]
    assert [r["message"] for r in records] == [
        "sending code=*** to +79161234567",
        "Код для входа: *** не отправлен",
        "Task notifications.tasks.send_message succeeded",
    ]
    assert records[2]["data"]["kwargs"] == "{'context': {'code': '***'}}"
    assert records[0]["level"] == "WARNING"
    assert records[0]["logger"] == "sferum.check"
    assert "time" in records[0]
    assert "ValueError" in records[1]["exc_info"]
    assert "864209" not in output
    assert "tok_abcdef123456" not in output


@pytest.mark.slow
def test_development_logs_are_plain_lines_with_secrets_masked():
    output = _run_logging({})

    assert "sending code=*** to +79161234567" in output
    assert not output.lstrip().startswith("{")
    assert "864209" not in output
    assert "tok_abcdef123456" not in output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("code=123456", "code=***"),
        ("{'code': '123456', 'n': 1}", "{'code': '***', 'n': 1}"),
        ('{"login_code": "998877"}', '{"login_code": "***"}'),
        ("Authorization: Bearer abcdef123456", "Authorization: Bearer ***"),
        ("password=hunter2&next=/", "password=***&next=/"),
        ("GET /i/AbCdEfGhIjKlMnOpQrSt/ HTTP/1.1", "GET /i/***/ HTTP/1.1"),
        ("Код для входа в Сферум Админ: 123456.", "Код для входа в Сферум Админ: ***."),
        ("template=login_code status=sent", "template=login_code status=sent"),
    ],
)
def test_redact_masks_codes_tokens_and_passwords(text, expected):
    assert redact(text) == expected


def test_filter_masks_arguments_of_a_record():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token=%s for %s", ("secret-value", "+7916"), None)

    RedactSecretsFilter().filter(record)

    assert record.getMessage() == "token=*** for +7916"


def test_filter_masks_extra_attributes_such_as_celery_task_data():
    record = logging.LogRecord("celery", logging.INFO, __file__, 1, "Task %(name)s", ({"name": "t"},), None)
    record.data = {"kwargs": "{'context': {'code': '5551'}}", "token": "abc123", "id": "42", "args": ["x"]}

    RedactSecretsFilter().filter(record)

    assert record.data == {"kwargs": "{'context': {'code': '***'}}", "token": "***", "id": "42", "args": ["x"]}
