"""Celery tasks of the notifications app: thin, retried, safe to run twice."""

import smtplib
from typing import Any

from celery import shared_task

from core.tasks import TRANSIENT_ERRORS, RetryingTask
from notifications.backends import SmsDeliveryError
from notifications.push import PushDeliveryError, push_deliver, push_deliveries_prune
from notifications.services import notification_send, notification_send_email_batch

MAX_RETRIES = 5


@shared_task(
    name="notifications.tasks.send_message",
    base=RetryingTask,
    bind=True,
    # notification_send raises only what is worth another try (a 5xx, a
    # timeout, a refused connection); a refused number is recorded and returned.
    autoretry_for=(*TRANSIENT_ERRORS, SmsDeliveryError, smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=10,
    max_retries=MAX_RETRIES,
)
def send_message(
    self,
    *,
    channel: str,
    recipient: str,
    template: str,
    context: dict[str, Any] | None = None,
    college_id: int | None = None,
    secret_keys: list[str] | None = None,
    idempotency_key: str | None = None,
) -> int:
    """Send one SMS or e-mail through ``notification_send``; returns the Message id.

    Without an ``idempotency_key`` the task's own id serves as one, so a retry
    or a redelivery of this task reuses its message row (``attempts`` grows)
    and a message that went out is never sent again.
    """
    message = notification_send(
        channel=channel,
        recipient=recipient,
        template=template,
        context=context or {},
        college=college_id,
        secret_keys=secret_keys or (),
        idempotency_key=idempotency_key or f"task:{self.request.id}",
    )
    return message.pk


@shared_task(
    name="notifications.tasks.send_email_batch",
    base=RetryingTask,
    # A broken connection is raised after the claimed rest is recorded failed: the retry sends to them only.
    autoretry_for=(*TRANSIENT_ERRORS, smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=10,
    max_retries=MAX_RETRIES,
)
def send_email_batch(
    *, template: str, context: dict[str, Any], recipients: list[list[str]], college_id: int | None = None
) -> int:
    """The same e-mail to many (address, idempotency key) pairs through ``notification_send_email_batch``;
    returns how many went out in this run. Safe to run twice: a key sent before is skipped."""
    outcome = notification_send_email_batch(
        template=template, context=context, recipients=recipients, college=college_id
    )
    return outcome.sent


@shared_task(
    name="notifications.tasks.push_send",
    base=RetryingTask,
    # push_deliver raises only what is worth another try (unreachable, 429, 5xx);
    # a refusal is recorded and a vanished browser deletes its subscription.
    autoretry_for=(*TRANSIENT_ERRORS, PushDeliveryError),
    retry_backoff=10,
    max_retries=MAX_RETRIES,
)
def push_send(*, delivery_id: int) -> str:
    """Send one Web Push notification to one browser through ``push_deliver``; safe to run twice."""
    return push_deliver(delivery_id=delivery_id)


@shared_task(name="notifications.tasks.push_deliveries_prune", base=RetryingTask)
def push_deliveries_prune_task() -> int:
    """Daily (beat): drop week-old delivery records; returns how many."""
    return push_deliveries_prune()
