"""Invitation settings with their defaults. Read at call time so tests and benches can change them."""

import os

from django.conf import settings


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, os.environ.get(name, default)))


def burst_limit() -> int:
    """Joins through one link within ``burst_window()`` seconds above which the link is paused."""
    return _int("INVITATION_BURST_LIMIT", 100)


def burst_window() -> int:
    return _int("INVITATION_BURST_WINDOW", 60)


def open_limit_per_ip() -> int:
    """Acceptance pages one IP address may open per minute."""
    return _int("INVITATION_OPEN_LIMIT_PER_IP", 60)


def accept_limit_per_ip() -> int:
    return _int("INVITATION_ACCEPT_LIMIT_PER_IP", 30)


def accept_limit_per_user() -> int:
    return _int("INVITATION_ACCEPT_LIMIT_PER_USER", 10)


def dispatch_batch_size() -> int:
    return _int("INVITATION_DISPATCH_BATCH", 200)


def dispatch_async_commit() -> bool:
    """Commit the dispatch's message rows without waiting for the WAL flush (PostgreSQL
    ``synchronous_commit = off``, only inside a batch). A killed worker loses nothing by it: a
    committed row is visible at once. Only a crash of the database server itself within a
    fraction of a second could forget a claim and send that message again. Measured about three
    times the deliveries per second; set INVITATION_DISPATCH_ASYNC_COMMIT=0 to switch it off."""
    return bool(_int("INVITATION_DISPATCH_ASYNC_COMMIT", 1))
