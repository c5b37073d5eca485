"""Batches whose worker was lost: handed to a worker again by beat, or by the administrator's «Повторить».

Processing is idempotent (rows and movements are claimed one by one), so a batch whose worker is merely
slow and is queued a second time loses nothing and applies nothing twice.
"""

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_log
from movement.messages import IMPORT_NOT_STUCK_MESSAGE, NOT_ALLOWED_MESSAGE
from movement.models import ImportBatch
from movement.permissions import can_manage_movements
from movement.selectors import import_is_stuck, import_stuck
from movement.services.rollback import _queue_rollback
from movement.services.rollover import _queue_rollover
from movement.services.roster_import import _queue_import

_QUEUE_BY_KIND = {
    ImportBatch.Kind.ROSTER: _queue_import,
    ImportBatch.Kind.ROLLBACK: _queue_rollback,
    ImportBatch.Kind.ROLLOVER: _queue_rollover,
}


def _claim(batch_id: int) -> bool:
    """Claim a stuck batch by moving its ``queued_at`` on: of two sweeps (or a sweep and a click) one queues it."""
    return bool(ImportBatch.objects.filter(import_stuck(), pk=batch_id).update(queued_at=timezone.now()))


def import_requeue_stuck() -> int:
    """Beat: hand every stuck import, rollback and roll-over batch to the worker again; returns how many."""
    stuck = (
        ImportBatch.objects.filter(import_stuck())
        .select_related("college")
        .only("pk", "kind", "file_name", "college")
        .order_by("pk")[:500]
    )
    queued = 0
    for batch in stuck:
        with transaction.atomic():
            if not _claim(batch.pk):
                continue
            audit_log(actor=None, college=batch.college, action="roster_import.requeue", target=batch)
            transaction.on_commit(partial(_QUEUE_BY_KIND[batch.kind], batch.pk), robust=True)
        queued += 1
    return queued


@transaction.atomic
def import_requeue(*, actor: User | None, batch: ImportBatch) -> ImportBatch:
    """«Повторить»: the administrator hands a stuck batch to the worker again."""
    if not can_manage_movements(actor, batch.college):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    if not import_is_stuck(batch) or not _claim(batch.pk):
        raise ValidationError(IMPORT_NOT_STUCK_MESSAGE, code="not_stuck")
    audit_log(actor=actor, college=batch.college, action="roster_import.requeue", target=batch)
    transaction.on_commit(partial(_QUEUE_BY_KIND[batch.kind], batch.pk), robust=True)
    batch.refresh_from_db()
    return batch
