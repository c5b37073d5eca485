"""What the killed-worker tests share: the broker settings of their workers, and the wait that lets
production's two recoveries bring back what a SIGKILL took.

A killed worker's work comes back in one of two ways:
- Redis hands back the messages it had taken and not acknowledged (the visibility timeout);
- a message it had popped (BRPOP) but not yet recorded as unacknowledged is gone from the broker:
  kombu's Redis transport has that window, and a kill landing in it lost a batch in one CI run.
  Beat's sweeps (stuck dispatches and imports, due movements) queue or apply such work again. In
  production they run every few minutes; ``wait_sweeping`` runs one as soon as the broker has held
  nothing of the test's queue for a while and the work is still not done.
"""

import time
from collections.abc import Callable

# How long the broker must hold nothing before a sweep runs: far longer than the instant a message spends
# between BRPOP and its unacknowledged record, or between a restore and the queue.
BROKER_IDLE_SECONDS = 2


def transport_options(prefix: str) -> dict:
    """kombu's Redis options for a test worker: restore within seconds, and keys of its own.

    kombu looks for unacknowledged messages every interval × throttle seconds (10 × 10 by default, after a
    visibility timeout of an hour). Its unacknowledged-message keys and restore lock are shared by every
    worker on a Redis database unless named: with names of its own, no worker killed elsewhere (another
    test, another run) holds this one's lock — 300 s by default, here 5 — or leaves it messages to restore.
    """
    return {
        "visibility_timeout": 3,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
        "unacked_key": unacked_key(prefix),
        "unacked_index_key": f"{unacked_key(prefix)}-index",
        "unacked_mutex_key": f"{unacked_key(prefix)}-mutex",
        "unacked_mutex_expire": 5,
    }


def unacked_key(prefix: str) -> str:
    return f"{prefix}-unacked"


def forget_unacked(redis, prefix: str) -> None:
    """Drop what an earlier run left unacknowledged under these keys."""
    redis.delete(unacked_key(prefix), f"{unacked_key(prefix)}-index")


def wait_sweeping(
    done: Callable[[], bool], *, sweep: Callable[[], int], redis, queue: str, prefix: str, timeout: float
) -> tuple[bool, int]:
    """Wait for ``done``; whenever the broker has held nothing for ``queue`` (no message queued, none taken
    and unacknowledged) for ``BROKER_IDLE_SECONDS``, run ``sweep`` as beat would.
    Returns (done, the sum of what the sweeps returned)."""
    deadline = time.monotonic() + timeout
    idle_since, swept = None, 0
    while time.monotonic() < deadline:
        if done():
            return True, swept
        if redis.llen(queue) or redis.hlen(unacked_key(prefix)):
            idle_since = None
        elif idle_since is None:
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since >= BROKER_IDLE_SECONDS:
            swept += sweep()
            idle_since = None
        time.sleep(0.1)
    return False, swept
