"""Celery tasks of the broadcasts app: thin, retried, safe to run twice."""

import smtplib

from celery import shared_task
from django.urls import reverse
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
    """One reminder e-mail to one person, at most once (keyed by session, its start and person)."""
    from django.conf import settings

    from accounts.models import User
    from broadcasts.models import Session
    from colleges.middleware import college_zone
    from notifications.models import Message
    from notifications.services import notification_send

    session = Session.objects.select_related("college", "host__user").filter(pk=session_id).first()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if session is None or user is None or not user.email or not session.is_planned:
        return None
    starts = timezone.localtime(session.starts_at, college_zone(session.college))
    message = notification_send(
        channel=Message.Channel.EMAIL,
        recipient=user.email,
        template="session_reminder",
        context={
            "title": session.title,
            "kind": session.get_kind_display(),
            "college": session.college.short_name,
            "host": session.host.user.short_name,
            "starts": f"{starts:%d.%m.%Y %H:%M}",
            "url": settings.SITE_URL.rstrip("/") + reverse("broadcasts:detail", kwargs={"pk": session.pk}),
        },
        college=session.college,
        idempotency_key=f"broadcast-reminder:{session.pk}:{session.starts_at.isoformat()}:{user_id}",
    )
    return message.pk if message else None
