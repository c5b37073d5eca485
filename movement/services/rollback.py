"""Undoing an applied roster import: compensating orders, never an edit of the past, applied by the worker."""

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_log
from movement.messages import IMPORT_NOT_APPLIED_MESSAGE, IMPORT_ROLLBACK_REASON, NOT_ALLOWED_MESSAGE
from movement.models import ExpelReason, ImportBatch, Movement, MovementKind
from movement.permissions import can_manage_movements
from movement.services.apply import _apply_pending_of, _batch_done


@transaction.atomic
def import_rollback(*, actor: User | None, batch: ImportBatch) -> ImportBatch:
    """A rollback batch with an order undoing each applied order of ``batch``, newest first."""
    if not can_manage_movements(actor, batch.college):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.APPLIED or batch.rolled_back_by_id:
        raise ValidationError(IMPORT_NOT_APPLIED_MESSAGE, code="not_applied")
    today = timezone.localdate()
    rollback = ImportBatch.objects.create(
        college=batch.college,
        kind=ImportBatch.Kind.ROLLBACK,
        created_by=actor,
        file_name=batch.file_name,
        status=ImportBatch.Status.APPLYING,
        queued_at=timezone.now(),
        order_number=batch.order_number,
        order_date=today,
        effective_date=today,
    )
    compensations = [
        _compensation(m, rollback=rollback, actor=actor)
        for m in batch.movements.filter(status=Movement.Status.APPLIED).order_by("-id")
        if m.kind in (MovementKind.ENROL, MovementKind.TRANSFER, MovementKind.EXPEL)
    ]
    Movement.objects.bulk_create(compensations)
    rollback.total = len(compensations)
    rollback.save(update_fields=["total"])
    batch.rolled_back_by = rollback
    batch.status = ImportBatch.Status.ROLLED_BACK
    batch.save(update_fields=["rolled_back_by", "status"])
    audit_log(
        actor=actor,
        college=batch.college,
        action="roster_import.rollback",
        target=batch,
        after={"movements": len(compensations)},
    )
    transaction.on_commit(partial(_queue_rollback, rollback.pk), robust=True)
    return rollback


def _compensation(m: Movement, *, rollback: ImportBatch, actor: User | None) -> Movement:
    """The order undoing ``m``: an enrolment by an expulsion, a transfer by one back, an expulsion by reinstating."""
    today = rollback.order_date
    common = {
        "college_id": m.college_id,
        "person_id": m.person_id,
        "order_number": m.order_number,
        "order_date": today,
        "effective_date": max(today, m.effective_date),
        "entered_by": actor,
        "caused_by": m,
        "batch": rollback,
        "reason": IMPORT_ROLLBACK_REASON,
    }
    if m.kind == MovementKind.ENROL:
        return Movement(kind=MovementKind.EXPEL, **{**common, "reason": ExpelReason.CORRECTION.label})
    if m.kind == MovementKind.TRANSFER:
        return Movement(kind=MovementKind.TRANSFER, from_group_id=m.to_group_id, to_group_id=m.from_group_id, **common)
    return Movement(kind=MovementKind.REINSTATE, to_group_id=m.from_group_id, **common)


def _queue_rollback(batch_id: int) -> None:
    from movement.tasks import process_rollback_batch

    process_rollback_batch.delay(batch_id)


def rollback_process(*, batch_id: int) -> None:
    """Apply the compensating movements of a rollback batch one by one (each exactly once)."""
    _apply_pending_of(ImportBatch.objects.get(pk=batch_id))
    _batch_done(batch_id)
