"""Sessions through Redis (``cached_db``), the engine production uses when REDIS_URL is set.

The rest of the suite keeps sessions in the database so that pinned query
counts do not depend on the cache; these tests run the flows that touch
sessions with the production engine.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tests.accounts.test_profile import PROFILE_URL, sign_in_by_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cached_sessions(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def test_production_settings_keep_sessions_in_redis_when_it_is_configured(monkeypatch):
    import importlib

    from sferum_admin import settings as project_settings

    monkeypatch.setenv("DJANGO_ENV", "production")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    monkeypatch.setenv("MFA_ENCRYPTION_KEY", "A" * 43 + "=")
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "example.org")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    try:
        reloaded = importlib.reload(project_settings)
        assert reloaded.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
        assert reloaded.CACHES["default"]["BACKEND"] == "core.cache.TolerantRedisCache"
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)


def test_a_signed_in_page_reads_the_session_from_redis_not_the_database(sms_outbox):
    factories.UserFactory(phone="+79991234567")
    client = sign_in_by_code(Client(), "89991234567", sms_outbox)
    client.get(PROFILE_URL)
    session_key = client.cookies["sessionid"].value
    assert cache.get(f"django.contrib.sessions.cached_db{session_key}") is not None

    with CaptureQueriesContext(connection) as queries:
        response = client.get(PROFILE_URL)

    assert response.status_code == 200
    assert not [
        q for q in queries.captured_queries if "session_data" in q["sql"]
    ]  # the profile lists live session keys; no session is loaded


def test_signing_out_other_devices_ends_their_cached_sessions(sms_outbox):
    factories.UserFactory(phone="+79991234567")
    phone = sign_in_by_code(Client(), "89991234567", sms_outbox, user_agent="Телефон Android")
    laptop = sign_in_by_code(Client(), "89991234567", sms_outbox, user_agent="Ноутбук Firefox")
    assert phone.get(PROFILE_URL).status_code == 200  # the phone's session is now in the cache too

    laptop.post(reverse("accounts:sessions_end_others"))

    assert phone.get(PROFILE_URL)["Location"].startswith("/accounts/login/")
    assert laptop.get(PROFILE_URL).status_code == 200


def test_signing_out_ends_the_cached_session(sms_outbox):
    factories.UserFactory(phone="+79991234567")
    client = sign_in_by_code(Client(), "89991234567", sms_outbox)
    stolen = client.cookies["sessionid"].value

    client.post(reverse("account_logout"))

    replay = Client()
    replay.cookies["sessionid"] = stolen
    assert replay.get(PROFILE_URL)["Location"].startswith("/accounts/login/")
