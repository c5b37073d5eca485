"""The project's Celery app for the killed-worker test: a short visibility timeout so Redis hands the
unacknowledged batches back to the restarted worker within seconds instead of an hour, and a queue of
its own so the test never touches anyone else's tasks on the same Redis."""

from sferum_admin.celery import app

QUEUE = "invitations-kill-test"

# kombu sweeps for unacknowledged messages every interval × throttle seconds (10 × 10 by default):
# without these two the lost batch came back after about 100 s, close to the test's patience.
app.conf.broker_transport_options = {
    "visibility_timeout": 3,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
app.conf.task_default_queue = QUEUE

__all__ = ["QUEUE", "app"]
