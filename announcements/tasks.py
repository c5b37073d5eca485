"""Celery tasks of the announcements app: thin, retried, safe to run twice."""

from celery import shared_task

from core.tasks import RetryingTask

MAX_RETRIES = 5


@shared_task(name="announcements.tasks.announcement_notify", base=RetryingTask, bind=True, max_retries=MAX_RETRIES)
def announcement_notify(self, announcement_id: int) -> int:
    from announcements.services import announcement_notify as notify

    return notify(announcement_id=announcement_id)
