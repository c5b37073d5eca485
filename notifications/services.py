import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Model, Q
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.backends import SmsDeliveryError, get_sms_backend
from notifications.models import Message

MASK = "***"
# Far longer than any gateway timeout (SMS_GATEWAY_TIMEOUT, seconds).
SENDING_ABANDONED_AFTER = datetime.timedelta(minutes=10)

logger = logging.getLogger(__name__)


def render_message(*, channel: str, template: str, context: dict[str, Any]) -> tuple[str, str]:
    """Return (subject, body) from ``templates/notifications/<channel>/<template>.txt``.

    For e-mail the first line of the template is the subject.
    """
    text = render_to_string(f"notifications/{channel}/{template}.txt", context).strip()
    if channel == Message.Channel.EMAIL:
        subject, _, body = text.partition("\n")
        return subject.strip(), body.strip()
    return "", text


def notification_send(
    *,
    channel: str,
    recipient: str,
    template: str,
    context: dict[str, Any] | None = None,
    college: Model | int | None = None,
    secret_keys: Iterable[str] = (),
    idempotency_key: str | None = None,
) -> Message:
    """Send one SMS or e-mail now and record it.

    With ``idempotency_key`` the message goes out at most once: a second call
    with the same key returns the recorded message without sending, which
    makes retried and redelivered tasks safe. Delivery errors are recorded on
    the message and re-raised as ``SmsDeliveryError`` when worth a retry.

    ``secret_keys`` name the context values (one-time codes, invitation
    tokens) that go out in the message but are stored masked and never logged.
    """
    context = dict(context or {})
    secret_keys = tuple(secret_keys)
    subject, body = render_message(channel=channel, template=template, context=context)
    masked_context, masked_body = _masked(context=context, body=body, secret_keys=secret_keys)

    message = _claim(
        idempotency_key=idempotency_key,
        defaults=dict(
            college_id=getattr(college, "pk", college),
            channel=channel,
            recipient=recipient,
            template=template,
            context=masked_context,
            body=masked_body,
        ),
    )
    if message is None:
        logger.info("notification: key already used, nothing sent (template %s)", template)
        return Message.objects.get(idempotency_key=idempotency_key)

    provider_id = _deliver(message, channel=channel, recipient=recipient, subject=subject, body=body)
    if provider_id is None:
        return message
    message.status = Message.Status.SENT
    message.provider_message_id = provider_id[:128]
    message.sent_at = timezone.now()
    message.error = ""
    Message.objects.filter(pk=message.pk).update(
        status=message.status, provider_message_id=message.provider_message_id, sent_at=message.sent_at, error=""
    )
    logger.info("notification %s sent (%s, %s)", message.pk, channel, template)
    return message


def _masked(*, context: dict[str, Any], body: str, secret_keys: tuple[str, ...]) -> tuple[dict[str, Any], str]:
    """The context and body as stored: the values of ``secret_keys`` replaced by ``MASK``."""
    masked_context = {k: (MASK if k in secret_keys else v) for k, v in context.items()}
    masked_body = body
    for key in secret_keys:
        if context.get(key):
            masked_body = masked_body.replace(str(context[key]), MASK)
    return masked_context, masked_body


def _deliver(message: Message, *, channel: str, recipient: str, subject: str, body: str) -> str | None:
    """Hand the claimed ``message`` to the gateway or the mailer; the provider's id, or None if refused for good.

    A failure is recorded on the message; one worth a retry is raised again.
    """
    try:
        if channel == Message.Channel.SMS:
            return get_sms_backend().send(recipient, body)
        send_mail(subject, body, None, [recipient])
        return ""
    except SmsDeliveryError as exc:
        _record_failure(message, str(exc))
        logger.warning(
            "notification %s failed (%s, retryable=%s): %s", message.pk, message.template, exc.retryable, exc
        )
        if exc.retryable:
            raise
        return None
    except Exception as exc:
        # The exception text may quote the message; only its class is kept.
        _record_failure(message, exc.__class__.__name__)
        logger.warning("notification %s failed (%s): %s", message.pk, message.template, exc.__class__.__name__)
        raise


def notification_enqueue(
    *,
    channel: str,
    recipient: str,
    template: str,
    context: dict[str, Any] | None = None,
    college: Model | int | None = None,
    secret_keys: Iterable[str] = (),
    idempotency_key: str | None = None,
) -> None:
    """Send through the ``notifications.tasks.send_message`` Celery task once the transaction commits.

    For bulk sends (invitations to a whole group): each message is its own
    task with its own retries. Pass an ``idempotency_key`` per recipient and
    purpose so a repeated bulk action never sends the same message twice.
    """
    from notifications.tasks import send_message

    kwargs = {
        "channel": channel,
        "recipient": recipient,
        "template": template,
        "context": dict(context or {}),
        "college_id": getattr(college, "pk", college),
        "secret_keys": list(secret_keys),
        "idempotency_key": idempotency_key,
    }
    # Celery logs a task's arguments when it is received and when it ends: the
    # logged copy carries the secrets masked.
    shown = {
        **kwargs,
        "context": {k: (MASK if k in kwargs["secret_keys"] else v) for k, v in kwargs["context"].items()},
    }
    transaction.on_commit(lambda: send_message.apply_async(kwargs=kwargs, kwargsrepr=repr(shown)), robust=True)


def _record_failure(message: Message, error: str) -> None:
    message.status = Message.Status.FAILED
    message.error = error[:1000]
    Message.objects.filter(pk=message.pk).update(status=message.status, error=message.error)


def _claim(*, idempotency_key: str | None, defaults: dict[str, Any]) -> Message | None:
    """Create the message row in state SENDING, or claim an unsent one with the same key.

    Returns None when another worker holds the key and the message is not
    ours to send (it is being sent, or was sent).
    """
    now = timezone.now()
    if idempotency_key is None:
        return Message.objects.create(status=Message.Status.SENDING, attempts=1, claimed_at=now, **defaults)
    try:
        with transaction.atomic():
            return Message.objects.create(
                status=Message.Status.SENDING, attempts=1, claimed_at=now, idempotency_key=idempotency_key, **defaults
            )
    except IntegrityError:
        pass
    # A message that failed or was never started may be claimed again, and so
    # may one left in SENDING by a worker that died mid-send (the task is
    # redelivered): a send takes seconds, so a claim this old is abandoned.
    claimable = Q(status__in=[Message.Status.QUEUED, Message.Status.FAILED]) | Q(
        status=Message.Status.SENDING, claimed_at__lt=now - SENDING_ABANDONED_AFTER
    )
    claimed = Message.objects.filter(claimable, idempotency_key=idempotency_key).update(
        status=Message.Status.SENDING, attempts=F("attempts") + 1, claimed_at=now
    )
    if not claimed:
        return None
    return Message.objects.get(idempotency_key=idempotency_key)


# --- Many SMS at once ------------------------------------------------------------


@dataclass(frozen=True)
class OutgoingSms:
    """One SMS of a batch. ``body`` is sent; ``stored_body``/``stored_context`` (secrets masked) are recorded."""

    idempotency_key: str
    recipient: str
    template: str
    body: str
    stored_body: str
    stored_context: dict[str, Any]
    college_id: int | None = None


@dataclass
class BatchOutcome:
    """What happened to each key: sent (with provider id), failed (error, retryable), or left to the caller."""

    sent: dict[str, str] = field(default_factory=dict)
    failed: dict[str, tuple[str, bool]] = field(default_factory=dict)
    left: list[str] = field(default_factory=list)


def notification_send_sms_batch(*, messages: list[OutgoingSms]) -> BatchOutcome:
    """Send many SMS with one statement per message instead of four, under ``notification_send``'s rules.

    All rows are written first in state «queued» (one ``INSERT … ON CONFLICT DO NOTHING``); then
    each message is claimed («sending», committed) before it goes to the gateway, and the
    statement that claims the next one records the previous one as sent. So at most one message
    per worker process is ever in flight: a killed worker leaves one «sending» row (never sent
    again), and its unsent rows stay «queued» for a redelivered batch. A key that is not ours to
    claim here (held by another worker, failed before, or not on PostgreSQL) is returned in
    ``left``: the caller sends it through ``notification_send`` and its reclaim rules.
    """
    from django.db import connection

    outcome = BatchOutcome()
    if not messages or connection.vendor != "postgresql":
        outcome.left = [m.idempotency_key for m in messages]
        return outcome
    queued = _batch_queue(messages)
    backend = get_sms_backend()
    done = None
    try:
        for m in messages:
            message_pk = queued.get(m.idempotency_key)
            claimed = message_pk is not None and _batch_step(message_pk, done)
            if message_pk is not None:
                done = None
            if not claimed:
                outcome.left.append(m.idempotency_key)
                continue
            try:
                provider_id = backend.send(m.recipient, m.body)
            except SmsDeliveryError as exc:
                Message.objects.filter(pk=message_pk).update(status=Message.Status.FAILED, error=str(exc)[:1000])
                logger.warning(
                    "notification %s failed (%s, retryable=%s): %s", message_pk, m.template, exc.retryable, exc
                )
                outcome.failed[m.idempotency_key] = (str(exc)[:500], exc.retryable)
                continue
            except Exception as exc:
                # The exception text may quote the message; only its class is kept.
                Message.objects.filter(pk=message_pk).update(status=Message.Status.FAILED, error=exc.__class__.__name__)
                raise
            done = (message_pk, provider_id[:128])
            outcome.sent[m.idempotency_key] = provider_id
    finally:
        if done is not None:
            _batch_step(None, done)
        if outcome.sent:
            logger.info("notifications sent: %s (sms, batch)", len(outcome.sent))
    return outcome


def _batch_queue(messages: list[OutgoingSms]) -> dict[str, int]:
    """Write every message «queued» in one statement (keys already known are left); key → id of those queued."""
    import json

    from django.db import connection

    table = Message._meta.db_table
    now = timezone.now()
    values, params = [], []
    for m in messages:
        values.append("(%s, %s, %s, %s, %s::jsonb, %s, %s, 0, '', '', %s, %s)")
        params += [
            m.college_id,
            Message.Channel.SMS,
            m.recipient,
            m.template,
            json.dumps(m.stored_context, ensure_ascii=False),
            m.stored_body,
            Message.Status.QUEUED,
            m.idempotency_key,
            now,
        ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (college_id, channel, recipient, template, context, body, status, attempts, "
            f"error, provider_message_id, idempotency_key, created_at) VALUES {', '.join(values)} "
            "ON CONFLICT (idempotency_key) DO NOTHING",
            params,
        )
    return dict(
        Message.objects.filter(
            idempotency_key__in=[m.idempotency_key for m in messages], status=Message.Status.QUEUED
        ).values_list("idempotency_key", "pk")
    )


def _batch_step(claim_pk: int | None, done: tuple[int, str] | None) -> bool:
    """Claim ``claim_pk`` (if still queued) and record ``done`` (pk, provider id) as sent, in one commit."""
    from django.db import connection

    table = Message._meta.db_table
    moment = timezone.now()
    done_pk, provider_id = done or (None, "")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET "
            "status = CASE WHEN id = %s THEN %s ELSE %s END, "
            "attempts = CASE WHEN id = %s THEN attempts + 1 ELSE attempts END, "
            "claimed_at = CASE WHEN id = %s THEN %s ELSE claimed_at END, "
            "sent_at = CASE WHEN id = %s THEN %s ELSE sent_at END, "
            "provider_message_id = CASE WHEN id = %s THEN %s ELSE provider_message_id END, "
            "error = CASE WHEN id = %s THEN '' ELSE error END "
            "WHERE (id = %s AND status = %s) OR id = %s RETURNING id",
            [
                claim_pk,
                Message.Status.SENDING,
                Message.Status.SENT,
                claim_pk,
                claim_pk,
                moment,
                done_pk,
                moment,
                done_pk,
                provider_id,
                done_pk,
                claim_pk,
                Message.Status.QUEUED,
                done_pk,
            ],
        )
        return claim_pk is not None and any(pk == claim_pk for (pk,) in cursor.fetchall())


# --- One e-mail to many people ---------------------------------------------------------

# Rows claimed and recorded together; the mailer's connection stays open across all of them.
EMAIL_CLAIM_SIZE = 50
# Recipients per task: a task's arguments stay small in the broker, and a college of 5,000 is five tasks.
EMAIL_TASK_SIZE = 1000


@dataclass
class EmailBatchOutcome:
    sent: int = 0
    failed: int = 0
    skipped: int = 0


def notification_enqueue_email_batch(
    *,
    template: str,
    context: dict[str, Any],
    recipients: Iterable[tuple[str, str]],
    college: Model | int | None = None,
) -> int:
    """Queue the same e-mail to many people: ``recipients`` are (address, idempotency key) pairs.

    Sent after commit by ``notifications.tasks.send_email_batch``, one task per
    ``EMAIL_TASK_SIZE`` recipients instead of one per person; each person's message is
    still its own ``Message`` row with its own status, and a key already sent is never
    sent again. The context must hold no secrets (it is stored as is). Returns how many
    recipients were queued.
    """
    from notifications.tasks import send_email_batch

    pairs = [[str(address), str(key)] for address, key in recipients]
    college_id = getattr(college, "pk", college)
    context = dict(context)
    for start in range(0, len(pairs), EMAIL_TASK_SIZE):
        chunk = pairs[start : start + EMAIL_TASK_SIZE]
        transaction.on_commit(
            lambda chunk=chunk: send_email_batch.delay(
                template=template, context=context, recipients=chunk, college_id=college_id
            ),
            robust=True,
        )
    return len(pairs)


def notification_send_email_batch(
    *,
    template: str,
    context: dict[str, Any],
    recipients: list[tuple[str, str]] | list[list[str]],
    college: Model | int | None = None,
) -> EmailBatchOutcome:
    """Send the same e-mail to each (address, key) not sent yet, over one mailer connection.

    Rows are written «queued» and claimed ``EMAIL_CLAIM_SIZE`` at a time (locked rows
    are skipped, so two workers never take the same person), then recorded sent in one
    UPDATE per claim. A refused address is recorded and the rest go on; a broken
    connection records the claimed rest as failed and is raised, so the task's retry
    takes up exactly the people still unsent. A worker killed mid-claim leaves its rows
    «sending»: after ``SENDING_ABANDONED_AFTER`` they are claimed again, so at most one
    claim's worth may get the letter twice.
    """
    import smtplib

    from django.core.mail import EmailMessage, get_connection

    outcome = EmailBatchOutcome()
    subject, body = render_message(channel=Message.Channel.EMAIL, template=template, context=context)
    college_id = getattr(college, "pk", college)
    pairs = [(str(address), str(key)) for address, key in recipients]
    connection = get_connection()
    connection.open()
    try:
        for start in range(0, len(pairs), EMAIL_CLAIM_SIZE):
            chunk = pairs[start : start + EMAIL_CLAIM_SIZE]
            claimed = _email_claim(chunk, template=template, context=context, body=body, college_id=college_id)
            outcome.skipped += len(chunk) - len(claimed)
            sent: list[int] = []
            try:
                for address, key in chunk:
                    if key not in claimed:
                        continue
                    mail = EmailMessage(subject, body, None, [address], connection=connection)
                    try:
                        connection.send_messages([mail])
                    except smtplib.SMTPRecipientsRefused as exc:
                        _record_failure(Message(pk=claimed.pop(key)), exc.__class__.__name__)
                        outcome.failed += 1
                        continue
                    sent.append(claimed.pop(key))
            except Exception as exc:
                # The exception text may quote the message; only its class is kept.
                Message.objects.filter(pk__in=list(claimed.values())).update(
                    status=Message.Status.FAILED, error=exc.__class__.__name__
                )
                logger.warning("notifications: e-mail batch stopped (%s): %s", template, exc.__class__.__name__)
                raise
            finally:
                if sent:
                    Message.objects.filter(pk__in=sent).update(
                        status=Message.Status.SENT, sent_at=timezone.now(), error=""
                    )
                outcome.sent += len(sent)
    finally:
        connection.close()
    logger.info(
        "notifications: e-mail batch %s: %s sent, %s failed, %s not ours",
        template,
        outcome.sent,
        outcome.failed,
        outcome.skipped,
    )
    return outcome


def _email_claim(
    chunk: list[tuple[str, str]], *, template: str, context: dict[str, Any], body: str, college_id: int | None
) -> dict[str, int]:
    """Write the chunk's rows «queued» (keys already known are left as they are) and claim what is ours to send."""
    now = timezone.now()
    Message.objects.bulk_create(
        [
            Message(
                college_id=college_id,
                channel=Message.Channel.EMAIL,
                recipient=address,
                template=template,
                context=context,
                body=body,
                status=Message.Status.QUEUED,
                idempotency_key=key,
            )
            for address, key in chunk
        ],
        ignore_conflicts=True,
    )
    claimable = Q(status__in=[Message.Status.QUEUED, Message.Status.FAILED]) | Q(
        status=Message.Status.SENDING, claimed_at__lt=now - SENDING_ABANDONED_AFTER
    )
    with transaction.atomic():
        rows = dict(
            Message.objects.select_for_update(skip_locked=True)
            .filter(claimable, idempotency_key__in=[key for _, key in chunk])
            .values_list("idempotency_key", "pk")
        )
        Message.objects.filter(pk__in=list(rows.values())).update(
            status=Message.Status.SENDING, attempts=F("attempts") + 1, claimed_at=now
        )
    return rows
