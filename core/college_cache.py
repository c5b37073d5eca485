"""A per-college cache of costly page parts, dropped whenever the college's data changes.

Counting 10 000 students or rendering a page of study groups with their
curators costs more than the rest of a page put together, yet the answer
stays the same until someone changes the college's data. Every service that
changes college data records it with ``audit.services.audit_log`` inside its
transaction, and ``audit_log`` calls ``changed()`` for that college once the
transaction commits. A cached part is stored together with the college's
*stamp* of the time it was computed; ``changed()`` replaces the stamp, so every
part cached before the change is stale at once. A lookup reads the stamp and
the part in one round trip to the cache.

Parts also expire after ``settings.COLLEGE_CACHE_SECONDS`` (5 minutes by
default). That bounds how stale a part can get through writes that bypass the
services (the Django admin, a shell) and through figures that move with the
clock alone; 0 switches the cache off.

What goes in must depend only on the college's data and on the ``vary``
values given (the viewer's roles, the language, the query string…), never on
the viewer personally, and must hold no CSRF token::

    html = college_cache.get_or_compute(
        college, "groups.study_group_list", vary=(roles, language, query),
        compute=lambda: render_to_string(...),
    )

A page that reads several parts names them beforehand (``expected``), and the
first of them it asks for reads the stamp and all of them in one round trip::

    with college_cache.expected(college, [("nav.entries", (user.pk,)), ("chats.history", vary)]):
        return render(...)  # each ``get_or_compute`` of those parts finds what that one read found

Nothing is read until a part is asked for, so a page that shows none of them
(a redirect, a plain-text answer) costs no round trip.
"""

import hashlib
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

_STAMP_KEY = "college-data:{college_id}"
_PART_KEY = "college-part:{college_id}:{name}:{vary}"


@dataclass
class _Expected:
    """The parts a page expects (``expected``): their keys, and what the one read found (None before it)."""

    college_id: int
    keys: list[str]
    found: dict | None = None


_expected: ContextVar[_Expected | None] = ContextVar("college_cache_expected", default=None)


def _timeout() -> int:
    return getattr(settings, "COLLEGE_CACHE_SECONDS", 300)


def enabled() -> bool:
    return bool(_timeout())


def stamp(college_id: int) -> str:
    """The college's current data stamp (created on first use)."""
    key = _STAMP_KEY.format(college_id=college_id)
    value = cache.get(key)
    if value is None:
        # add(): of two first readers, both end up with the one that was stored.
        cache.add(key, secrets.token_hex(8), timeout=None)
        value = cache.get(key)
    return value


def changed(college_ids: Iterable[int]) -> None:
    """Make every part cached for these colleges unreachable (call after the change committed)."""
    for college_id in set(college_ids):
        cache.set(_STAMP_KEY.format(college_id=college_id), secrets.token_hex(8), timeout=None)


def changed_on_commit(college_ids: Iterable[int]) -> None:
    """``changed()`` once the current transaction commits (at once outside a transaction).

    Bumping before the commit would let a reader cache the old data under the
    new stamp between the bump and the commit.
    """
    ids = [college_id for college_id in college_ids if college_id is not None]
    if ids and enabled():
        transaction.on_commit(lambda: changed(ids), robust=True)


def _part_key(college_id: int, name: str, vary: tuple) -> str:
    vary_key = hashlib.blake2b(repr(vary).encode(), digest_size=12).hexdigest()
    return _PART_KEY.format(college_id=college_id, name=name, vary=vary_key)


@contextmanager
def expected(college, parts: Iterable[tuple[str, tuple]]) -> Iterator[None]:
    """Within the block, the first ``get_or_compute`` of one of ``parts`` ((name, vary) pairs) of ``college``
    reads the stamp and every one of them in one round trip; the others find what it read."""
    parts = list(parts)
    if not enabled() or college is None or len(parts) < 2:
        yield  # one part is one round trip anyway
        return
    token = _expected.set(_Expected(college.pk, [_part_key(college.pk, name, vary) for name, vary in parts]))
    try:
        yield
    finally:
        _expected.reset(token)


def _read(college_id: int, stamp_key: str, part_key: str) -> dict:
    """The stamp and the part as stored (a dict the caller may update): with every expected part when this is
    one of them."""
    batch = _expected.get()
    if batch is None or batch.college_id != college_id or part_key not in batch.keys:
        return cache.get_many([stamp_key, part_key])
    if batch.found is None:
        batch.found = cache.get_many([stamp_key, *batch.keys])
    return batch.found


def get_or_compute(college, name: str, *, vary: tuple = (), compute: Callable[[], T]) -> T:
    """The part ``name`` of ``college`` for ``vary``, computed and stored when absent or stale."""
    timeout = _timeout()
    if not timeout or college is None:
        return compute()
    stamp_key = _STAMP_KEY.format(college_id=college.pk)
    part_key = _part_key(college.pk, name, vary)
    found = _read(college.pk, stamp_key, part_key)
    current = found.get(stamp_key) or stamp(college.pk)
    part = found.get(part_key)
    if part is not None and part[0] == current:
        return part[1]
    # The stamp was read before the data: a change committed meanwhile has
    # replaced it, so what is stored here is stale at once rather than served.
    value: Any = compute()
    cache.set(part_key, (current, value), timeout=timeout)
    found.update({stamp_key: current, part_key: (current, value)})
    return value
