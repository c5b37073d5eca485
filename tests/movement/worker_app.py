"""The project's Celery app for the killed-worker tests, with the broker options of tests/killed_workers.py
(restore within seconds instead of an hour; unacknowledged-message keys of its own)."""

from sferum_admin.celery import app
from tests.killed_workers import transport_options

UNACKED_PREFIX = "movement-kill-test"

app.conf.broker_transport_options = transport_options(UNACKED_PREFIX)

__all__ = ["UNACKED_PREFIX", "app"]
