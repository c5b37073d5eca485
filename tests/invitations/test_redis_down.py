"""Redis down: the cache misses and skips writes instead of failing, so public pages answer, and a
cache write after commit cannot keep a dispatch from being queued."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from groups.models import Enrollment
from invitations.models import BulkDispatch, Invitation
from invitations.services import bulk_dispatch_create
from tests import factories

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every command fails at once with ConnectionError.
DOWN = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.TolerantRedisCache",
            "LOCATION": DOWN,
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    # Callbacks after commit bump the college's cache stamp only when that cache is on.
    settings.COLLEGE_CACHE_SECONDS = 300
    return settings


def test_reads_miss_and_writes_are_skipped(redis_down):
    assert cache.get("key", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("key", 1) is True  # as if free: rate-limit locks let the request through
    cache.set("key", 1)
    cache.delete("key")
    with pytest.raises(ValueError):
        cache.incr("counter")


def test_the_plain_redis_cache_would_fail(settings):
    settings.CACHES = {"default": {"BACKEND": "core.cache.RedisCache", "LOCATION": DOWN}}
    import redis.exceptions

    with pytest.raises(redis.exceptions.ConnectionError):
        cache.get("key")


def test_production_settings_use_the_tolerant_cache(settings):
    assert settings.REDIS_URL, "the tests run with Redis (settings_test)"
    assert settings.CACHES["default"]["BACKEND"] == "core.cache.TolerantRedisCache"


def test_public_invitation_page_answers_with_redis_down(redis_down, client, make_link, college):
    _, token = make_link()

    response = client.get(reverse("invitations:accept", kwargs={"token": token}))

    assert response.status_code == 200
    assert college.short_name in response.content.decode()


def test_joining_through_a_link_with_redis_down(
    redis_down, client_for, make_link, group, django_capture_on_commit_callbacks
):
    _, token = make_link()
    person = factories.UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(person).post(reverse("invitations:accept", kwargs={"token": token}))

    assert response.status_code == 302
    assert Enrollment.objects.get(student__user=person).group == group


def test_a_dispatch_committed_with_redis_down_is_still_sent(
    redis_down, administrator, college, group, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dispatch = bulk_dispatch_create(
            actor=administrator,
            college=college,
            role="student",
            group=group,
            expires_at=timezone.now() + datetime.timedelta(days=7),
            recipients=[{"name": "Иванов Иван", "phone": "+79995550011"}],
        )

    dispatch.refresh_from_db()
    assert dispatch.status == BulkDispatch.Status.DONE
    assert Invitation.objects.get(dispatch=dispatch).delivery_status != Invitation.Delivery.QUEUED
    assert [m["phone"] for m in sms_outbox] == ["+79995550011"]
