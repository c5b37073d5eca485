"""Bulk personal invitations: one per recipient, sent by Celery in batches, each message at most once."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_log
from colleges.models import College
from groups.models import StudyGroup
from invitations import conf
from invitations.messages import DISPATCH_NOT_STUCK_MESSAGE
from invitations.models import BulkDispatch, Invitation
from invitations.permissions import can_create_invitation, can_send_bulk_invitations
from invitations.selectors import bulk_dispatch_stuck_list, invitation_url
from invitations.services.links import invitation_target_check
from invitations.tokens import token_hash, token_new, token_seal, token_unseal
from notifications.backends import SmsDeliveryError
from notifications.models import Message
from notifications.services import MASK, OutgoingSms, notification_send, notification_send_sms_batch, render_message


def bulk_dispatch_create(
    *,
    actor: User,
    college: College,
    role: str,
    group: StudyGroup | None,
    expires_at: datetime.datetime,
    recipients: list[dict],
) -> BulkDispatch:
    """One personal invitation per recipient (``{"name", "phone" or "email"}``, already checked by the preview),
    then Celery sends them in batches after commit."""
    invitation_target_check(college=college, role=role, group=group)
    if not can_send_bulk_invitations(actor, college) or not can_create_invitation(
        actor, college, role=role, group=group
    ):
        raise PermissionDenied("Рассылать приглашения может администратор платформы или администрация колледжа.")
    if not recipients:
        raise ValidationError("Нет получателей для рассылки.")
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": "Срок действия должен быть в будущем."})
    with transaction.atomic():
        dispatch = BulkDispatch.objects.create(
            college=college, role=role, group=group, created_by=actor, total=len(recipients), queued_at=timezone.now()
        )
        rows = []
        for recipient in recipients:
            token = token_new()
            rows.append(
                Invitation(
                    college=college,
                    role=role,
                    group=group,
                    kind=Invitation.Kind.PERSONAL,
                    max_uses=1,
                    expires_at=expires_at,
                    recipient_phone=recipient.get("phone", ""),
                    recipient_email=recipient.get("email", ""),
                    recipient_name=recipient.get("name", "")[:300],
                    delivery_status=Invitation.Delivery.QUEUED,
                    dispatch=dispatch,
                    created_by=actor,
                    token_hash=token_hash(token),
                    token_sealed=token_seal(token),
                )
            )
        Invitation.objects.bulk_create(rows, batch_size=1000)
        audit_log(
            actor=actor,
            college=college,
            action="invitation.bulk_dispatch",
            target=dispatch,
            after={"total": len(rows), "role": role, "group": group},
        )
        transaction.on_commit(lambda: bulk_dispatch_enqueue(dispatch=dispatch), robust=True)
    return dispatch


def bulk_dispatch_enqueue(*, dispatch: BulkDispatch) -> int:
    """Queue one task per batch of still-queued invitations. Safe to call again: sending is idempotent."""
    from invitations.tasks import dispatch_send_batch

    ids = list(
        Invitation.objects.filter(dispatch=dispatch, delivery_status=Invitation.Delivery.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    size = conf.dispatch_batch_size()
    BulkDispatch.objects.filter(pk=dispatch.pk, status=BulkDispatch.Status.QUEUED).update(
        status=BulkDispatch.Status.RUNNING
    )
    batches = 0
    for start in range(0, len(ids), size):
        dispatch_send_batch.delay(dispatch.pk, ids[start : start + size])
        batches += 1
    if not ids:
        BulkDispatch.objects.filter(pk=dispatch.pk).update(status=BulkDispatch.Status.DONE)
    return batches


def _bulk_dispatch_requeue_claim(dispatch_id: int) -> bool:
    """Move ``queued_at`` on, conditionally: of two sweeps (or a sweep and a click) only one queues the batches."""
    return bool(bulk_dispatch_stuck_list().filter(pk=dispatch_id).update(queued_at=timezone.now()))


def bulk_dispatch_requeue_stuck() -> int:
    """Beat: queue again the still-queued invitations of dispatches whose workers were lost; returns how many.

    Sending is idempotent per (invitation, recipient), so a dispatch that was only slow sends nothing twice.
    """
    queued = 0
    for dispatch in bulk_dispatch_stuck_list().select_related("college").order_by("pk")[:500]:
        with transaction.atomic():
            if not _bulk_dispatch_requeue_claim(dispatch.pk):
                continue
            audit_log(actor=None, college=dispatch.college, action="invitation.bulk_dispatch_requeue", target=dispatch)
            transaction.on_commit(lambda dispatch=dispatch: bulk_dispatch_enqueue(dispatch=dispatch), robust=True)
        queued += 1
    return queued


@transaction.atomic
def bulk_dispatch_requeue(*, actor: User, dispatch: BulkDispatch) -> BulkDispatch:
    """«Повторить»: the administrator queues a stuck dispatch again."""
    if not can_send_bulk_invitations(actor, dispatch.college):
        raise PermissionDenied("Рассылать приглашения может администратор платформы или администрация колледжа.")
    if not _bulk_dispatch_requeue_claim(dispatch.pk):
        raise ValidationError(DISPATCH_NOT_STUCK_MESSAGE, code="not_stuck")
    audit_log(actor=actor, college=dispatch.college, action="invitation.bulk_dispatch_requeue", target=dispatch)
    transaction.on_commit(lambda: bulk_dispatch_enqueue(dispatch=dispatch), robust=True)
    return dispatch


def invitation_deliver(*, invitation: Invitation) -> str:
    """Send one personal invitation. At most one message per (invitation, recipient), however often it runs."""
    channel = Message.Channel.SMS if invitation.recipient_phone else Message.Channel.EMAIL
    recipient = invitation.recipient_phone or invitation.recipient_email
    token = token_unseal(invitation.token_sealed)
    if not token:
        # Sealed with another SECRET_KEY (rotated, or a worker configured differently).
        raise ValidationError(
            "Ссылку не удалось восстановить: проверьте, что у веб-сервера и воркеров один SECRET_KEY."
        )
    message = notification_send(
        channel=channel,
        recipient=recipient,
        template="invitation",
        context={
            "college": invitation.college.short_name,
            "role": invitation.get_role_display(),
            "group": invitation.group.name if invitation.group_id else "",
            "name": invitation.recipient_name,
            "url": invitation_url(token),
        },
        college=invitation.college,
        secret_keys=("url",),
        idempotency_key=f"invitation:{invitation.pk}:{recipient}",
    )
    return message.status


def bulk_dispatch_send_batch(*, dispatch_id: int, invitation_ids: list[int]) -> list[int]:
    """Deliver what is still queued among ``invitation_ids``; returns ids worth a retry."""
    # A session setting: not behind a pooler that hands the session to others between transactions.
    async_commit = (
        conf.dispatch_async_commit()
        and connection.vendor == "postgresql"
        and settings.DATABASE_POOLING != "transaction"
    )
    if async_commit:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
    try:
        return _send_batch(dispatch_id=dispatch_id, invitation_ids=invitation_ids)
    finally:
        if async_commit:
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO DEFAULT")


def _send_batch(*, dispatch_id: int, invitation_ids: list[int]) -> list[int]:
    invitations = list(
        Invitation.objects.filter(
            pk__in=invitation_ids,
            dispatch_id=dispatch_id,
            delivery_status__in=[Invitation.Delivery.QUEUED, Invitation.Delivery.FAILED],
        )
        .exclude(status=Invitation.Status.REVOKED)
        .select_related("college", "group")
        .order_by("pk")
    )
    sent, unknown, failed, retry = [], [], {}, []
    # SMS of the batch: written in one INSERT, each claimed and recorded in one UPDATE; the rest one by one.
    invitations = _deliver_sms_batch(invitations, sent=sent, failed=failed, retry=retry)
    for invitation in invitations:
        try:
            status = invitation_deliver(invitation=invitation)
        except SmsDeliveryError as exc:
            retry.append(invitation.pk)
            failed[invitation.pk] = str(exc)[:500]
            continue
        except ValidationError as exc:
            failed[invitation.pk] = " ".join(exc.messages)[:500]
            continue
        if status == Message.Status.FAILED:
            failed[invitation.pk] = "Сообщение не принято шлюзом."
        elif status == Message.Status.SENDING:
            unknown.append(invitation.pk)
        else:
            sent.append(invitation.pk)
    if sent:
        Invitation.objects.filter(pk__in=sent, delivery_status__in=["queued", "failed"]).update(
            delivery_status=Invitation.Delivery.SENT, delivery_error=""
        )
    if unknown:
        # At most once: a message claimed by a worker that died may or may not have reached the
        # gateway. It is flagged for the administrator, never sent a second time.
        Invitation.objects.filter(pk__in=unknown, delivery_status__in=["queued", "failed"]).update(
            delivery_status=Invitation.Delivery.UNKNOWN,
            delivery_error="Отправка прервалась: проверьте, получил ли человек приглашение.",
        )
    for pk, error in failed.items():
        Invitation.objects.filter(pk=pk, delivery_status="queued").update(
            delivery_status=Invitation.Delivery.FAILED, delivery_error=error
        )
    if not Invitation.objects.filter(dispatch_id=dispatch_id, delivery_status=Invitation.Delivery.QUEUED).exists():
        BulkDispatch.objects.filter(pk=dispatch_id).exclude(status=BulkDispatch.Status.DONE).update(
            status=BulkDispatch.Status.DONE
        )
    return retry


def _invitation_sms(invitation: Invitation) -> tuple[str, str, dict] | None:
    """(text, stored text with the link masked, stored context) of a personal invitation's SMS, or None."""
    token = token_unseal(invitation.token_sealed)
    if not token:
        return None
    url = invitation_url(token)
    context = {
        "college": invitation.college.short_name,
        "role": invitation.get_role_display(),
        "group": invitation.group.name if invitation.group_id else "",
        "name": invitation.recipient_name,
        "url": url,
    }
    _, body = render_message(channel=Message.Channel.SMS, template="invitation", context=context)
    return body, body.replace(url, MASK), {**context, "url": MASK}


def _deliver_sms_batch(invitations: list[Invitation], *, sent: list, failed: dict, retry: list) -> list[Invitation]:
    """Send the SMS invitations of a batch through ``notification_send_sms_batch`` (one statement a message).

    Fills ``sent``/``failed``/``retry`` with invitation ids and returns the invitations left
    to the caller, which sends them one by one through ``invitation_deliver``: e-mail
    invitations, unreadable links, and keys the batch could not claim.
    """
    rest, by_key = [], {}
    outgoing = []
    for invitation in invitations:
        rendered = _invitation_sms(invitation) if invitation.recipient_phone else None
        if rendered is None:
            rest.append(invitation)  # e-mail, or invitation_deliver explains the unreadable link
            continue
        body, stored_body, stored_context = rendered
        key = f"invitation:{invitation.pk}:{invitation.recipient_phone}"
        by_key[key] = invitation
        outgoing.append(
            OutgoingSms(
                idempotency_key=key,
                recipient=invitation.recipient_phone,
                template="invitation",
                body=body,
                stored_body=stored_body,
                stored_context=stored_context,
                college_id=invitation.college_id,
            )
        )
    outcome = notification_send_sms_batch(messages=outgoing)
    sent.extend(by_key[key].pk for key in outcome.sent)
    for key, (error, retryable) in outcome.failed.items():
        failed[by_key[key].pk] = error
        if retryable:
            retry.append(by_key[key].pk)
    rest.extend(by_key[key] for key in outcome.left)
    return rest
