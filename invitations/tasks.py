"""Celery tasks of the invitations app: thin, idempotent, retried with backoff."""

import logging

from celery import shared_task

from core.tasks import TRANSIENT_ERRORS, RetryingTask
from notifications.backends import SmsDeliveryError

logger = logging.getLogger(__name__)


@shared_task(
    name="invitations.notify",
    base=RetryingTask,
    autoretry_for=(*TRANSIENT_ERRORS, SmsDeliveryError),
)
def notify(*, recipient, template, context, college_id=None, idempotency_key=None, secret_keys=()):
    """One SMS about an invitation or a join request (the outcome, a burst alert)."""
    from notifications.models import Message
    from notifications.services import notification_send

    notification_send(
        channel=Message.Channel.EMAIL if "@" in recipient else Message.Channel.SMS,
        recipient=recipient,
        template=template,
        context=context,
        college=None if college_id is None else _college(college_id),
        idempotency_key=idempotency_key,
        secret_keys=secret_keys,
    )


def _college(pk):
    from colleges.models import College

    return College.objects.filter(pk=pk).first()


@shared_task(name="invitations.dispatch_send_batch", base=RetryingTask, bind=True, max_retries=5)
def dispatch_send_batch(self, dispatch_id: int, invitation_ids: list[int]):
    """Send a batch of personal invitations. A redelivered or retried batch sends nothing twice:
    each message carries the idempotency key of its (invitation, recipient)."""
    from invitations.services import bulk_dispatch_send_batch

    retry_ids = bulk_dispatch_send_batch(dispatch_id=dispatch_id, invitation_ids=invitation_ids)
    if retry_ids and self.request.is_eager:
        # In-process mode (no broker): retry inline a bounded number of times rather than raise Retry
        # into the page that queued the batch.
        for _attempt in range(self.max_retries):
            retry_ids = bulk_dispatch_send_batch(dispatch_id=dispatch_id, invitation_ids=retry_ids)
            if not retry_ids:
                break
        return
    if retry_ids:
        # Exponential backoff: 2, 4, 8… seconds, capped at ten minutes.
        raise self.retry(args=[dispatch_id, retry_ids], countdown=min(2 ** (self.request.retries + 1), 600))


@shared_task(name="invitations.close_for_leaver", base=RetryingTask, max_retries=3, autoretry_for=(Exception,))
def close_for_leaver(*, college_id: int, student_id: int, kind: str):
    from colleges.models import Membership
    from invitations.services import join_requests_close_for_student

    student = Membership.objects.select_related("user", "college").filter(pk=student_id).first()
    if student is None:
        return 0
    reason = "Обучающийся выпущен." if kind.startswith("grad") else "Обучающийся отчислен."
    return join_requests_close_for_student(college_id=college_id, student=student, reason=reason)


@shared_task(
    name="invitations.send_link",
    base=RetryingTask,
    bind=True,
    autoretry_for=(*TRANSIENT_ERRORS, SmsDeliveryError),
)
def send_link(self, *, invitation_id: int, phone: str):
    """One SMS with a link. A retry or a redelivery of this task (same id) sends nothing twice."""
    from invitations.services import invitation_send_link

    invitation_send_link(invitation_id=invitation_id, phone=phone, idempotency_key=f"send-link:{self.request.id}")


@shared_task(name="invitations.bulk_dispatch_requeue_stuck", base=RetryingTask)
def bulk_dispatch_requeue_stuck() -> int:
    """Beat: queue again the bulk dispatches whose invitations stay «в очереди» long after they were queued."""
    from invitations.services import bulk_dispatch_requeue_stuck as requeue

    return requeue()
