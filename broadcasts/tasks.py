"""Celery tasks of the broadcasts app: thin, retried, safe to run twice."""

import smtplib

from celery import shared_task
from django.utils import timezone

from core.tasks import TRANSIENT_ERRORS, RetryingTask

MAX_RETRIES = 5
# A beat run picks at most this many sessions; the next run, a minute later, takes the rest.
DUE_BATCH = 500


@shared_task(name="broadcasts.tasks.session_remind", base=RetryingTask, bind=True, max_retries=MAX_RETRIES)
def session_remind(self, session_id: int) -> int:
    from broadcasts.services import session_remind as remind

    return remind(session_id=session_id)


@shared_task(name="broadcasts.tasks.sessions_remind_due", base=RetryingTask)
def sessions_remind_due() -> int:
    """Beat, every minute: sessions starting within 15 minutes and not yet reminded (each claimed once)."""
    from broadcasts.models import JOIN_EARLY, Session

    now = timezone.now()
    due = list(
        Session.objects.filter(
            status=Session.Status.PLANNED,
            reminded_at__isnull=True,
            starts_at__lte=now + JOIN_EARLY,
            ends_at__gt=now,
        )
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)[:DUE_BATCH]
    )
    for session_id in due:
        session_remind.delay(session_id)
    return len(due)


@shared_task(
    name="broadcasts.tasks.session_reminder_email_send",
    base=RetryingTask,
    bind=True,
    autoretry_for=(*TRANSIENT_ERRORS, smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=10,
    max_retries=MAX_RETRIES,
)
def session_reminder_email_send(self, session_id: int, user_id: int) -> int | None:
    """One reminder e-mail to one person, at most once (keyed by session, its start and person).

    Reminders now go as one batch (``notifications.tasks.send_email_batch``, same keys); this task stays
    for the ones queued before that, so an upgrade under a full queue loses none.
    """
    from accounts.models import User
    from broadcasts.models import Session
    from broadcasts.services import session_email_context
    from notifications.models import Message
    from notifications.services import notification_send

    session = Session.objects.select_related("college", "host__user").filter(pk=session_id).first()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if session is None or user is None or not user.email or not session.is_planned:
        return None
    message = notification_send(
        channel=Message.Channel.EMAIL,
        recipient=user.email,
        template="session_reminder",
        context=session_email_context(session),
        college=session.college,
        idempotency_key=f"broadcast-reminder:{session.pk}:{session.starts_at.isoformat()}:{user_id}",
    )
    return message.pk if message else None
