"""Celery tasks of movement: thin, idempotent (the services claim their work), retried."""

from celery import shared_task

from core.tasks import RetryingTask
from movement import selectors, services


@shared_task(name="groups.movement.tasks.apply_movement", base=RetryingTask, bind=True)
def apply_movement(self, movement_id: int) -> str:
    return services.movement_apply(movement_id=movement_id).status


@shared_task(name="groups.movement.tasks.apply_due_movements", base=RetryingTask)
def apply_due_movements() -> int:
    """Beat: apply every pending movement whose effective date has come, in date order."""
    applied = 0
    for movement_id in selectors.due_movement_ids():
        if services.movement_apply(movement_id=movement_id).status == "applied":
            applied += 1
    return applied


@shared_task(name="groups.movement.tasks.process_import_batch", base=RetryingTask, bind=True)
def process_import_batch(self, batch_id: int) -> None:
    services.import_process(batch_id=batch_id)


@shared_task(name="groups.movement.tasks.process_rollback_batch", base=RetryingTask, bind=True)
def process_rollback_batch(self, batch_id: int) -> None:
    services.rollback_process(batch_id=batch_id)


@shared_task(name="groups.movement.tasks.process_rollover_batch", base=RetryingTask, bind=True)
def process_rollover_batch(self, batch_id: int) -> None:
    services.rollover_process(batch_id=batch_id)


@shared_task(name="groups.movement.tasks.import_requeue_stuck", base=RetryingTask)
def import_requeue_stuck() -> int:
    """Beat: queue again the import, rollback and roll-over batches whose worker was lost."""
    return services.import_requeue_stuck()
