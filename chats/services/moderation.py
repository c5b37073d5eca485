"""Moderation of messages: deleting with a reason, reports and their decisions.

A message a moderator deletes stays in the table with who, when and why (``deleted_by``,
``deleted_at``, ``delete_reason``) and in the audit trail with its text; members see «Сообщение
удалено модератором» in its place (``selectors.chat_history``).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_log
from chats import events, permissions, texts
from chats.models import Message, MessageReport
from chats.services.common import history_changed

MAX_REASON = 500


def _reason(reason: str, field: str = "reason") -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({field: texts.REASON_REQUIRED}, code="reason_required")
    return reason[:MAX_REASON]


def message_moderate_delete_unchecked(*, actor: User, message: Message, reason: str) -> Message:
    with transaction.atomic():
        message = Message.objects.select_for_update().select_related("chat__college").get(pk=message.pk)
        if message.is_deleted:
            raise ValidationError(texts.ALREADY_DELETED, code="deleted")
        message.deleted_at = timezone.now()
        message.deleted_by = actor
        message.delete_reason = reason
        message.pinned_at = None
        message.save(update_fields=["deleted_at", "deleted_by", "delete_reason", "pinned_at"])
        audit_log(
            actor=actor,
            college=message.chat.college,
            action="chat.message_moderate_delete",
            target=message,
            before={"text": message.text, "author": message.author_id},
            after={"reason": reason, "chat": message.chat_id},
            drops_pages=False,
        )
        history_changed(message.chat_id)
        events.publish(message.chat_id, {"type": "message.deleted", "message_id": message.pk, "moderated": True})
    return message


def message_moderate_delete(*, actor: User, message: Message, reason: str) -> Message:
    """An owner, a moderator or the administrator removes a message, saying why."""
    if not permissions.can_moderate(actor, message.chat):
        raise PermissionDenied(texts.MODERATE_DENIED)
    return message_moderate_delete_unchecked(actor=actor, message=message, reason=_reason(reason))


def report_create(*, actor: User, message: Message, reason: str) -> MessageReport:
    """A member reports a message; one open report per member and message."""
    if not permissions.can_report(actor, message):
        raise PermissionDenied(texts.REPORT_DENIED)
    reason = _reason(reason)
    reporter = permissions.viewer_member(actor, message.chat).member
    try:
        with transaction.atomic():
            report = MessageReport.objects.create(
                college_id=message.college_id, message=message, reporter=reporter, reason=reason
            )
            audit_log(
                actor=actor,
                college=message.chat.college,
                action="chat.report_create",
                target=report,
                after={"message": message.pk, "reason": reason},
            )
    except IntegrityError:
        raise ValidationError(texts.REPORT_OPEN, code="open") from None
    return report


def report_decide(*, actor: User, report: MessageReport, uphold: bool, outcome: str = "") -> MessageReport:
    """Uphold (the message is removed with the report's reason, every open report on it closes) or dismiss.

    The reporter reads ``outcome`` (a default sentence when the moderator wrote none) in their reports.
    """
    if not permissions.can_decide_report(actor, report):
        raise PermissionDenied(texts.MODERATE_DENIED)
    outcome = " ".join((outcome or "").split())[:MAX_REASON] or (
        texts.OUTCOME_UPHELD if uphold else texts.OUTCOME_DISMISSED
    )
    status = MessageReport.Status.UPHELD if uphold else MessageReport.Status.DISMISSED
    with transaction.atomic():
        claimed = MessageReport.objects.filter(pk=report.pk, status=MessageReport.Status.OPEN).update(
            status=status, decided_by=actor, decided_at=timezone.now(), outcome=outcome
        )
        if not claimed:
            raise ValidationError(texts.REPORT_DECIDED, code="decided")
        if uphold:
            message = report.message
            if not message.is_deleted:
                message_moderate_delete_unchecked(actor=actor, message=message, reason=report.reason)
            MessageReport.objects.filter(message=message, status=MessageReport.Status.OPEN).update(
                status=status, decided_by=actor, decided_at=timezone.now(), outcome=outcome
            )
        report.refresh_from_db()
        audit_log(
            actor=actor,
            college=report.message.chat.college,
            action="chat.report_decide",
            target=report,
            after={"status": status, "outcome": outcome},
        )
    return report
