"""Error reports go to Sentry only when SENTRY_DSN is set, without personal data."""

import sys
import types

from sferum_admin.sentry import sentry_init


def test_sentry_is_initialised_with_the_dsn_and_no_personal_data(monkeypatch):
    calls = []
    sdk = types.ModuleType("sentry_sdk")
    sdk.init = lambda **kwargs: calls.append(kwargs)
    integrations = types.ModuleType("sentry_sdk.integrations")
    celery = types.ModuleType("sentry_sdk.integrations.celery")
    celery.CeleryIntegration = type("CeleryIntegration", (), {})
    django = types.ModuleType("sentry_sdk.integrations.django")
    django.DjangoIntegration = type("DjangoIntegration", (), {})
    for name, module in {
        "sentry_sdk": sdk,
        "sentry_sdk.integrations": integrations,
        "sentry_sdk.integrations.celery": celery,
        "sentry_sdk.integrations.django": django,
    }.items():
        monkeypatch.setitem(sys.modules, name, module)

    assert sentry_init("https://key@sentry.example.org/1", environment="production", traces_sample_rate=0.0)

    assert calls[0]["dsn"] == "https://key@sentry.example.org/1"
    assert calls[0]["send_default_pii"] is False
    assert calls[0]["environment"] == "production"


def test_without_sentry_sdk_a_warning_not_a_crash(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)

    assert sentry_init("https://key@sentry.example.org/1", environment="production", traces_sample_rate=0.0) is False
    assert "sentry-sdk is not installed" in caplog.text
