"""The base of every Celery task of the project: transient failures are retried, work is acknowledged late.

Imports no project app, so every app's ``tasks.py`` may build on it.
"""

import kombu.exceptions
import redis.exceptions
from celery import Task
from celery.exceptions import Retry
from django.db import InterfaceError, OperationalError

# Failures that say nothing about the work itself: a dropped database connection (a restart, PgBouncer,
# a failover) or an unreachable broker. The same message is worth another try a little later.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


class RetryingTask(Task):
    """Retries transient errors with exponential backoff and jitter (1 s, 2 s, 4 s… up to ten minutes).

    ``acks_late`` with ``reject_on_worker_lost`` hands a message back to the broker when the worker dies
    mid-task, so each task must be safe to run twice: the services claim their work by a conditional update.
    """

    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5
    acks_late = True
    reject_on_worker_lost = True

    def apply(self, *args, **kwargs):
        """In-process (no broker, ``CELERY_TASK_ALWAYS_EAGER``): a transient error is retried at once, in place.

        Celery's own eager run raises ``Retry`` into the caller (the page that queued the task) when it
        propagates errors; here the retry runs instead, and only the last failure reaches the caller.
        """
        try:
            return super().apply(*args, **kwargs)
        except Retry as exc:
            if exc.sig is None:
                raise
            return exc.sig.apply(retries=(kwargs.get("retries") or 0) + 1)
