"""The project's Celery app for the killed-worker test: a queue of its own so the test never touches anyone
else's tasks on the same Redis, and the broker options of tests/killed_workers.py."""

from sferum_admin.celery import app
from tests.killed_workers import transport_options

QUEUE = "invitations-kill-test"

app.conf.broker_transport_options = transport_options(QUEUE)
app.conf.task_default_queue = QUEUE

__all__ = ["QUEUE", "app"]
