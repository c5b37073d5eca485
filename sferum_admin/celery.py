import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sferum_admin.settings")

app = Celery("sferum_admin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="sferum_admin.ping")
def ping() -> str:
    """A no-op task: health checks and benchmarks measure the bare worker with it."""
    return "pong"
