"""Django's Redis cache, sharing one connection pool per server across the process and counting in one round
trip.

Django keeps a connection pool per cache object, and ``django.core.cache.caches`` makes a cache object per
thread and, in async code, per task: every open WebSocket (its session read in its own task) held a Redis
connection of its own — 166 connections for 166 sockets, against Redis's client limit. Here the pools (and
their clients) are the process's, one per server and options, whatever the thread or task.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every
cache operation; with redis-py 8 that costs about 0.1 ms of CPU each time, as
much as the round trip to Redis. A ``redis.Redis`` is safe to share between
threads (each command borrows a connection from the pool), so one per pool will do.

Django's ``incr`` asks ``EXISTS`` and then ``INCRBY``: two round trips for every
rate-limit count and every joining through an invitation link (its burst
counter). Here one script does both, which also closes the gap in which the
key could expire between the two and be recreated by ``INCRBY`` with no timeout.
"""

import functools
import logging
import threading
import time

import redis.exceptions
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

logger = logging.getLogger(__name__)

# Redis unreachable, restarting (BusyLoadingError is a ConnectionError), or timing out.
REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


# INCRBY of a key that exists; nil (``ValueError`` below, as Django answers) for a missing one.
_INCR_EXISTING = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('incrby', KEYS[1], ARGV[1]) end"


# The process's pools and clients, shared by every cache object (a pool checks the pid itself after a fork).
_POOLS: dict[tuple, object] = {}
_CLIENTS: dict[int, object] = {}
_POOLS_LOCK = threading.Lock()


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._incr_scripts = {}

    def _get_connection_pool(self, write):
        server = self._servers[self._get_connection_pool_index(write)]
        options = tuple(sorted((name, repr(value)) for name, value in self._pool_options.items()))
        key = (server, self._pool_class, options)
        pool = _POOLS.get(key)
        if pool is None:
            with _POOLS_LOCK:
                pool = _POOLS.get(key)
                if pool is None:
                    pool = _POOLS[key] = self._pool_class.from_url(server, **self._pool_options)
        return pool

    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        script = self._incr_scripts.get(id(client))
        if script is None:
            # EVALSHA, loading the script on first use (and again after a Redis restart).
            script = self._incr_scripts[id(client)] = client.register_script(_INCR_EXISTING)
        value = script(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = _CLIENTS.get(id(pool))
        if client is None:
            client = _CLIENTS.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


def redis_client(alias: str = "default") -> "redis.Redis | None":
    """The shared Redis client of cache ``alias`` (thread-safe), or None when that cache is not Redis.

    For the few uses the cache's API does not cover (a set that many requests add to at once); keys go
    through the cache's ``make_key`` so that they keep its prefix and version. A caller catches
    ``REDIS_ERRORS`` itself: this client is not tolerant.
    """
    from django.core.cache import caches

    backend = caches[alias]
    if not isinstance(backend, RedisCache):
        return None
    return backend._cache.get_client(write=True)


class TolerantRedisCache(RedisCache):
    """The Redis cache that survives Redis being down: a read is a miss, a write is skipped.

    The cache only ever holds what can be computed again (page parts, session copies, rate-limit
    counters), so with Redis restarting or unreachable the pages answer from the database instead of
    failing with 500, and a cache write inside ``on_commit`` cannot keep the callbacks after it (the
    tasks that send a dispatch) from running. Each failure is logged once per operation kind and
    minute. ``incr`` raises ``ValueError``, as for a missing key, so counters start again; ``add`` answers
    True. So rate limits are not enforced while Redis is down (fail open: sign-in keeps working).
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._last_logged: dict[str, float] = {}

    def _failed(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._last_logged.get(operation, -60.0) >= 60.0:
            self._last_logged[operation] = now
            logger.warning("cache unavailable (%s): %s: %s", operation, exc.__class__.__name__, exc)


def _tolerant(name: str, fallback):
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except REDIS_ERRORS as exc:
            self._failed(name, exc)
            return fallback(*args, **kwargs)

    return wrapper


def _counter_unavailable(*args, **kwargs):
    raise ValueError("the cache is unavailable")


for _name, _fallback in {
    "get": lambda key, default=None, version=None: default,
    "get_many": lambda keys, version=None: {},
    "has_key": lambda key, version=None: False,
    "set": lambda *args, **kwargs: None,
    "set_many": lambda data, *args, **kwargs: list(data),
    # As if the key were free: allauth's rate-limit lock (cache.add) lets the request through rather
    # than refusing everybody while Redis is away; the limits count again once it is back.
    "add": lambda *args, **kwargs: True,
    "touch": lambda *args, **kwargs: False,
    "delete": lambda *args, **kwargs: False,
    "delete_many": lambda *args, **kwargs: None,
    "incr": _counter_unavailable,
    "decr": _counter_unavailable,
    "clear": lambda *args, **kwargs: False,
}.items():
    setattr(TolerantRedisCache, _name, _tolerant(_name, _fallback))
