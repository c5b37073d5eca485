import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sferum_admin.settings")

app = Celery("sferum_admin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**kwargs) -> None:
    """Workers log through settings.LOGGING like the web process: JSON lines in production, secrets masked.

    Without a receiver for this signal Celery replaces the root logger's
    handlers with its own, dropping the redaction filter.
    """
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


@app.task(name="sferum_admin.ping")
def ping() -> str:
    """A no-op task: health checks and benchmarks measure the bare worker with it."""
    return "pong"
