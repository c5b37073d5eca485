"""The project's Celery app for the killed-worker test: a short visibility timeout so Redis hands an
unacknowledged task back to the restarted worker within seconds instead of an hour."""

from sferum_admin.celery import app

# kombu sweeps for unacknowledged messages every interval × throttle seconds (10 × 10 by default):
# without these two the lost task came back only after about 100 s.
app.conf.broker_transport_options = {
    "visibility_timeout": 3,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

__all__ = ["app"]
