"""Invitation settings with their defaults. Read at call time so tests and benches can change them.

The values come from the environment through sferum_admin/settings.py (django-environ), like the rest."""

from django.conf import settings


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def burst_limit() -> int:
    """Joins through one link within ``burst_window()`` seconds above which the link is paused."""
    return _int("INVITATION_BURST_LIMIT", 100)


def burst_window() -> int:
    return _int("INVITATION_BURST_WINDOW", 60)


def open_limit_per_ip() -> int:
    """Acceptance pages one client address may open per minute (0: no limit).

    A whole class behind one school NAT address opens the link in the same minute,
    and each person opens it two or three times on the way (phone, code, name).
    """
    return _int("INVITATION_OPEN_LIMIT_PER_IP", 300)


def accept_limit_per_ip() -> int:
    """Joins and code requests from one client address per minute (0: no limit)."""
    return _int("INVITATION_ACCEPT_LIMIT_PER_IP", 300)


def accept_limit_per_user() -> int:
    return _int("INVITATION_ACCEPT_LIMIT_PER_USER", 10)


def code_limit_per_link() -> int:
    """Sign-in codes one link may have sent per 10 minutes (0: no limit).

    A link sends codes to phones never seen here; a leaked link must not become
    a free SMS gateway. A large college's first day through one link stays well below.
    """
    return _int("INVITATION_CODE_LIMIT_PER_LINK", 300)


def rates(kind: str) -> str:
    """The limits of ``kind`` in allauth's format for ``accounts.ratelimits``.

    "open": any visit of a link's page, signed in or not (per client address);
    "accept": joining, by a signed-in person (per client address and per person);
    "code": sign-in codes sent from one link (keyed by the link).
    """
    if kind == "open":
        parts = [(open_limit_per_ip(), "ip")]
    elif kind == "code":
        return f"{code_limit_per_link()}/10m/key" if code_limit_per_link() > 0 else ""
    else:
        parts = [(accept_limit_per_ip(), "ip"), (accept_limit_per_user(), "user")]
    return ",".join(f"{limit}/m/{per}" for limit, per in parts if limit > 0)


def dispatch_batch_size() -> int:
    return _int("INVITATION_DISPATCH_BATCH", 200)


def dispatch_async_commit() -> bool:
    """Commit the dispatch's message rows without waiting for the WAL flush (PostgreSQL
    ``synchronous_commit = off``, only inside a batch). A killed worker loses nothing by it: a
    committed row is visible at once. Only a crash of the database server itself within a
    fraction of a second could forget a claim and send that message again. Measured about three
    times the deliveries per second; set INVITATION_DISPATCH_ASYNC_COMMIT=0 to switch it off."""
    return bool(_int("INVITATION_DISPATCH_ASYNC_COMMIT", 1))
