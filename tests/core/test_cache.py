"""The project's Redis cache counts in one round trip and answers a missing counter as Django does."""

import asyncio
import contextvars

import pytest
from django.conf import settings
from django.core.cache import cache

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis cache runs with REDIS_URL set")


@pytest.fixture
def commands(monkeypatch):
    """The commands the cache's Redis client sends, by name."""
    client = cache._cache.get_client(write=True)
    sent = []
    original = type(client).execute_command

    def counting(self, *args, **options):
        sent.append(str(args[0]).upper())
        return original(self, *args, **options)

    monkeypatch.setattr(type(client), "execute_command", counting)
    return sent


def test_incr_counts_an_existing_key_in_one_round_trip(commands):
    cache.delete("tests:counter")
    cache.add("tests:counter", 0, timeout=60)
    cache.incr("tests:counter")  # the first count since Redis started also loads the script
    commands.clear()

    assert cache.incr("tests:counter") == 2
    assert cache.incr("tests:counter", 5) == 7

    assert commands == ["EVALSHA", "EVALSHA"]
    assert cache.get("tests:counter") == 7


def test_incr_of_a_missing_key_raises_and_creates_nothing():
    cache.delete("tests:missing")

    with pytest.raises(ValueError):
        cache.incr("tests:missing")

    assert cache.get("tests:missing") is None


def test_incr_keeps_the_timeout_of_the_key():
    cache.delete("tests:window")
    cache.add("tests:window", 0, timeout=60)

    cache.incr("tests:window")

    key = cache.make_and_validate_key("tests:window")
    assert 0 < cache._cache.get_client(key).ttl(key) <= 60


def test_incr_works_again_when_redis_does_not_know_the_script():
    """As after a Redis restart (emptying the server's script cache here would touch other databases)."""
    cache.delete("tests:counter")
    cache.add("tests:counter", 0, timeout=60)
    cache.incr("tests:counter")
    for script in cache._cache._incr_scripts.values():
        script.sha = "0" * 40

    assert cache.incr("tests:counter") == 2


async def test_tasks_and_threads_share_one_connection_pool_per_server():
    """Each task's (socket's) cache object used to open a pool and a Redis connection of its own."""
    from asgiref.sync import sync_to_async
    from django.core.cache import caches

    def read():
        backend = caches["default"]
        backend.get("tests:shared-pool")
        return backend, backend._cache._get_connection_pool(False)

    # Each task in a context of its own, as a server starts each connection's.
    tasks = [
        asyncio.create_task(sync_to_async(read, thread_sensitive=False)(), context=contextvars.Context())
        for _ in range(20)
    ]
    seen = await asyncio.gather(*tasks)

    assert len({id(backend) for backend, _ in seen}) > 1  # Django's cache objects are per thread and task
    assert len({id(pool) for _, pool in seen}) == 1
