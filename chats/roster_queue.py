"""Roster changes waiting for the chats' sync, gathered per college: a rush of changes costs one task.

A whole group following its curator's link joins within a minute, and a roster import enrols hundreds in
one transaction. Each change used to queue two tasks of its own (the group's chats, the college's); a
Celery publish costs about a millisecond of the request's CPU, more than an acceptance's own statements.
Here a change adds «group:membership» entries (group 0: the college and staff chats; membership 0: everyone of
the group, for a change of its staff or its status) to its college's set
in Redis and queues ``chats.tasks.sync_roster`` only when none is queued for the college yet (a flag set
with NX); that task, run a moment later, clears the flag, takes the whole set at once and syncs it.

No change is missed between the two: a receiver adds its entries before it tests the flag, and the task
clears the flag before it takes the set, so an entry added after the take finds the flag cleared and
queues the next task. A task that fails puts its entries back before it is retried. Entries lost anyway
(Redis emptied, a worker killed mid-task) are caught up by the nightly ``sync_all``. Without Redis
(development without it, the SQLite tests), or when Redis fails, each change queues its own task with its
entries, as before but one task instead of two.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.core.cache import cache
from redis.commands.core import Script

from core import batching
from core.cache import REDIS_ERRORS, redis_client

COLLEGE = 0  # the group of an entry for the college and staff chats
EVERYONE = 0  # the membership of an entry for the whole group (a new curator, a group created or archived)
GATHER_SECONDS = 1  # how long a queued task waits for more changes of its college
QUEUED_SECONDS = 60  # a flag whose task was lost blocks the next one this long at most
PENDING_SECONDS = 7 * 24 * 3600  # entries nobody took are dropped after this (the nightly sync has them)


# Adds the entries (ARGV[3:]) to the set KEYS[1], keeps it ARGV[1] seconds, and sets the queued flag KEYS[2]
# for ARGV[2] seconds unless it is set: «OK» when this change is the one to queue the task, nil otherwise.
# One round trip and one command (a pipeline of three costs twice the CPU in redis-py). One object serves
# every client (each call names its client): EVALSHA, loading the script on first use and after a restart.
_ADD = Script(
    None,
    b"""
redis.call('sadd', KEYS[1], unpack(ARGV, 3))
redis.call('expire', KEYS[1], ARGV[1])
return redis.call('set', KEYS[2], '1', 'NX', 'EX', ARGV[2])
""",
)


def _keys(college_id: int) -> tuple[str, str]:
    return (
        cache.make_key(f"chats:roster:pending:{college_id}"),
        cache.make_key(f"chats:roster:queued:{college_id}"),
    )


def roster_changed(*, college_id: int, entries: Iterable[tuple[int | None, int]]) -> None:
    """The chats of these (study group, or None for the college's; membership, or ``EVERYONE``) pairs to sync
    soon.

    Called after the change committed (by the receivers of groups' signals). Inside a bulk loop's
    ``core.batching.batch()`` (a roster import's thousands of ``enrollment_changed``) the entries are gathered
    and queued once at its end: one Redis command and at most one task for the whole import.
    """
    items = sorted({f"{group_id or COLLEGE}:{member_id}" for group_id, member_id in entries})
    if items and not batching.gather(_queue, college_id, items):
        _queue(college_id, items)


def _queue(college_id: int, items: list[str]) -> None:
    from chats import tasks

    items = sorted(set(items))
    client = redis_client()
    if client is not None:
        pending, queued = _keys(college_id)
        try:
            first = _ADD(keys=[pending, queued], args=[PENDING_SECONDS, QUEUED_SECONDS, *items], client=client)
        except REDIS_ERRORS:
            pass  # Redis away: this change queues its own task below
        else:
            if first is not None:
                try:
                    tasks.sync_roster.apply_async((college_id,), countdown=GATHER_SECONDS)
                except Exception:
                    client.delete(queued)  # the next change queues the task
                    raise
            return
    tasks.sync_roster.delay(college_id, items)


def roster_take(college_id: int) -> list[str]:
    """The college's waiting entries, removed from Redis at once (after clearing the queued flag)."""
    client = redis_client()
    if client is None:
        return []
    pending, queued = _keys(college_id)
    client.delete(queued)
    pipe = client.pipeline(transaction=True)
    pipe.smembers(pending)
    pipe.delete(pending)
    members, _ = pipe.execute()
    return sorted(item.decode() if isinstance(item, bytes) else item for item in members)


def roster_put_back(college_id: int, items: list[str]) -> None:
    """Entries a failed task took, back in the set for its retry."""
    client = redis_client()
    if client is None or not items:
        return
    pending, _ = _keys(college_id)
    client.sadd(pending, *items)
    client.expire(pending, PENDING_SECONDS)


def roster_sync(college_id: int, items: list[str]) -> int:
    """Sync the chats of the entries at once (``chats.services.chat_sync_roster``: a constant number of
    queries whatever the number of groups and people): each group's roster chats for its memberships (all of
    them after an ``EVERYONE`` entry), the college's chats for theirs. Returns how many entries were synced
    (those of a group or college no longer there are dropped)."""
    from chats.services import chat_sync_roster
    from colleges.models import College

    entries: dict[int | None, set[int]] = defaultdict(set)
    for item in items:
        group_id, member_id = (int(part) for part in item.split(":"))
        entries[None if group_id == COLLEGE else group_id].add(member_id)
    college = College.objects.filter(pk=college_id).first()
    if college is None or not entries:
        return 0
    scopes = {key: None if EVERYONE in members else members for key, members in entries.items()}
    synced = chat_sync_roster(college=college, scopes=scopes)
    return sum(len(entries[key]) for key in synced)
