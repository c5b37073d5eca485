"""The project's Celery app for the killed-worker test: a short visibility timeout so Redis hands the
unacknowledged batches back to the restarted worker within seconds instead of an hour, and a queue of
its own so the test never touches anyone else's tasks on the same Redis."""

from sferum_admin.celery import app

QUEUE = "invitations-kill-test"

app.conf.broker_transport_options = {"visibility_timeout": 3}
app.conf.task_default_queue = QUEUE

__all__ = ["QUEUE", "app"]
