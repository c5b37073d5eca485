"""Production refuses to start (system checks at error level) without the settings that would otherwise
fail quietly: a secret key, allowed hosts, a real e-mail and SMS backend."""

import pytest

from sferum_admin.checks import production_settings_check

GOOD = {
    "PRODUCTION": True,
    "SECRET_KEY": "a-production-key-for-this-test-only-0123456789abcdefghijkl",
    "ALLOWED_HOSTS": ["sferum.college.ru"],
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "SMS_BACKEND": "notifications.backends.HttpGatewaySmsBackend",
    "SMS_GATEWAY_URL": "https://sms.example.org/send",
}


@pytest.fixture
def production(settings):
    for name, value in GOOD.items():
        setattr(settings, name, value)
    return settings


def ids(errors) -> list[str]:
    return [error.id for error in errors]


def test_a_complete_production_configuration_passes(production):
    assert production_settings_check(None) == []


def test_development_is_not_checked(production):
    production.PRODUCTION = False
    production.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

    assert production_settings_check(None) == []


@pytest.mark.parametrize("key", ["", "   ", "dev-only-insecure-key-change-me-0123456789abcdef"])
def test_an_empty_or_development_secret_key_is_an_error(production, key):
    production.SECRET_KEY = key

    assert ids(production_settings_check(None)) == ["sferum_admin.E002"]


@pytest.mark.parametrize("hosts", [[], [""]])
def test_no_allowed_host_is_an_error(production, hosts):
    production.ALLOWED_HOSTS = hosts

    assert ids(production_settings_check(None)) == ["sferum_admin.E003"]


@pytest.mark.parametrize(
    "backend", ["django.core.mail.backends.console.EmailBackend", "django.core.mail.backends.filebased.EmailBackend"]
)
def test_a_console_or_file_email_backend_is_an_error(production, backend):
    production.EMAIL_BACKEND = backend

    errors = production_settings_check(None)

    assert ids(errors) == ["sferum_admin.E004"]
    assert "EMAIL_URL" in errors[0].hint


@pytest.mark.parametrize(
    "backend", ["notifications.backends.ConsoleSmsBackend", "notifications.backends.FileSmsBackend"]
)
def test_a_console_or_file_sms_backend_is_an_error(production, backend):
    production.SMS_BACKEND = backend

    assert ids(production_settings_check(None)) == ["sferum_admin.E005"]


def test_the_gateway_backend_without_its_address_is_an_error(production):
    production.SMS_GATEWAY_URL = ""

    assert ids(production_settings_check(None)) == ["sferum_admin.E006"]


def test_every_problem_is_named_at_once(production):
    production.SECRET_KEY = ""
    production.ALLOWED_HOSTS = []
    production.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    production.SMS_BACKEND = "notifications.backends.ConsoleSmsBackend"

    assert ids(production_settings_check(None)) == [
        "sferum_admin.E002",
        "sferum_admin.E003",
        "sferum_admin.E004",
        "sferum_admin.E005",
    ]


def test_health_paths_are_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301
