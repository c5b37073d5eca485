"""SITE_URL: the address every invitation link, QR code and SMS starts with."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from invitations.selectors import invitation_url
from sferum_admin.checks import site_url_check

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "a-production-key-for-this-test-only-0123456789abcdefghijkl",
    "DJANGO_ALLOWED_HOSTS": "sferum.example.org",
    "MFA_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "DATABASE_URL": "sqlite:///:memory:",
    "EMAIL_URL": "smtp+tls://sferum:secret@smtp.example.org:587",
    "SMS_BACKEND": "notifications.backends.HttpGatewaySmsBackend",
    "SMS_GATEWAY_URL": "https://sms.example.org/send",
}


def _env(**values: str) -> dict[str, str]:
    skip = {"DJANGO_ENV", "DJANGO_SETTINGS_MODULE", "SITE_URL", "RUN_PORT", "DATABASE_URL", "REDIS_URL"}
    return {**{k: v for k, v in os.environ.items() if k not in skip}, **values}


@pytest.mark.slow
def test_without_site_url_links_follow_the_port_make_run_serves_on():
    script = (
        "import django; django.setup(); from invitations.selectors import invitation_url; print(invitation_url('t'))"
    )
    env = _env(DJANGO_SETTINGS_MODULE="sferum_admin.settings", DATABASE_URL="sqlite:///:memory:", RUN_PORT="8101")

    result = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8101/i/t/"


def test_links_start_with_site_url(settings):
    settings.SITE_URL = "https://sferum.college.ru/"

    assert invitation_url("abc") == "https://sferum.college.ru/i/abc/"


@pytest.mark.parametrize("site_url", ["http://127.0.0.1:8000", "http://localhost:8101", "sferum.college.ru", ""])
def test_production_with_a_local_or_missing_site_url_is_an_error(settings, site_url):
    settings.PRODUCTION = True
    settings.SITE_URL = site_url

    errors = site_url_check(None)

    assert [error.id for error in errors] == ["sferum_admin.E001"]


def test_production_with_a_public_site_url_passes(settings):
    settings.PRODUCTION = True
    settings.SITE_URL = "https://sferum.college.ru"

    assert site_url_check(None) == []


@pytest.mark.slow
def test_production_refuses_to_migrate_without_site_url():
    command = [sys.executable, "manage.py", "migrate", "--noinput"]

    refused = subprocess.run(command, cwd=BASE_DIR, env=_env(**PRODUCTION_ENV), capture_output=True, text=True)
    checked = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=_env(**PRODUCTION_ENV, SITE_URL="https://sferum.example.org"),
        capture_output=True,
        text=True,
    )

    assert refused.returncode != 0
    assert "sferum_admin.E001" in refused.stderr
    assert checked.returncode == 0, checked.stderr
