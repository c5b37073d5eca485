"""The project's Celery app for the killed-worker test: a short visibility timeout so Redis hands the
unacknowledged batches back to the restarted worker within seconds instead of an hour."""

from sferum_admin.celery import app

app.conf.broker_transport_options = {"visibility_timeout": 3}

__all__ = ["app"]
