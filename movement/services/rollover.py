"""The year roll-over: one reviewed batch graduates the final groups' students and moves the others up a course."""

import datetime
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_log
from colleges.models import College
from groups.models import Enrollment, StudyGroup
from groups.services import study_group_update
from movement.messages import (
    GRADUATION_REASON,
    NOT_ALLOWED_MESSAGE,
    ORDER_NUMBER_REQUIRED_MESSAGE,
    ROLLOVER_FUTURE_MESSAGE,
    ROLLOVER_NO_GROUPS_MESSAGE,
)
from movement.models import ImportBatch, Movement, MovementKind
from movement.permissions import can_manage_movements
from movement.selectors import MAX_COURSE, rollover_plan
from movement.services.apply import _apply_pending_of, _batch_done


@transaction.atomic
def rollover_start(
    *,
    actor: User | None,
    college: College,
    order_number: str,
    order_date: datetime.date,
    effective_date: datetime.date,
    graduating_ids: set[int],
) -> ImportBatch:
    """One reviewed batch: a graduation order per student of the final groups, the others move up a course."""
    if not can_manage_movements(actor, college):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    if effective_date > timezone.localdate():
        raise ValidationError({"effective_date": ROLLOVER_FUTURE_MESSAGE})
    if not order_number.strip():
        raise ValidationError({"order_number": ORDER_NUMBER_REQUIRED_MESSAGE})
    plan = rollover_plan(college=college, graduating_ids=graduating_ids)
    if not plan:
        raise ValidationError(ROLLOVER_NO_GROUPS_MESSAGE, code="no_groups")
    up = [item["group"].pk for item in plan if not item["graduate"]]
    final = [item["group"].pk for item in plan if item["graduate"]]
    batch = ImportBatch.objects.create(
        college=college,
        kind=ImportBatch.Kind.ROLLOVER,
        created_by=actor,
        status=ImportBatch.Status.APPLYING,
        queued_at=timezone.now(),
        order_number=order_number.strip(),
        order_date=order_date,
        effective_date=effective_date,
        summary={"up": up, "graduate": final, "done_groups": []},
    )
    Movement.objects.bulk_create(_graduation_orders(batch, group_ids=final, actor=actor))
    batch.total = batch.movements.count() + len(plan)
    batch.save(update_fields=["total"])
    audit_log(
        actor=actor,
        college=college,
        action="rollover.start",
        target=batch,
        after={"up": len(up), "graduate": len(final)},
    )
    transaction.on_commit(partial(_queue_rollover, batch.pk), robust=True)
    return batch


def _graduation_orders(batch: ImportBatch, *, group_ids: list[int], actor: User | None) -> list[Movement]:
    enrollments = Enrollment.objects.filter(group_id__in=group_ids, ended_at__isnull=True).order_by("pk")
    return [
        Movement(
            college_id=batch.college_id,
            kind=MovementKind.GRADUATE,
            person_id=e.student_id,
            from_group_id=e.group_id,
            order_number=batch.order_number,
            order_date=batch.order_date,
            effective_date=batch.effective_date,
            reason=GRADUATION_REASON,
            entered_by=actor,
            batch=batch,
        )
        for e in enrollments
    ]


def _queue_rollover(batch_id: int) -> None:
    from movement.tasks import process_rollover_batch

    process_rollover_batch.delay(batch_id)


def rollover_process(*, batch_id: int) -> None:
    """Graduate the students (each order exactly once), then change each group once (recorded in the batch)."""
    batch = ImportBatch.objects.get(pk=batch_id)
    _apply_pending_of(batch)
    for group_id in batch.summary["up"] + batch.summary["graduate"]:
        _rollover_group(batch_id, group_id)
    _batch_done(batch_id)


@transaction.atomic
def _rollover_group(batch_id: int, group_id: int) -> None:
    """Move one group up a course or mark it graduated, unless a run before this one already has."""
    locked = ImportBatch.objects.select_for_update().get(pk=batch_id)
    if group_id in locked.summary["done_groups"]:
        return
    group = StudyGroup.objects.get(pk=group_id)
    if group_id in locked.summary["up"]:
        study_group_update(actor=locked.created_by, group=group, course=min(group.course + 1, MAX_COURSE))
    else:
        study_group_update(actor=locked.created_by, group=group, status=StudyGroup.Status.GRADUATED)
    locked.summary["done_groups"].append(group_id)
    locked.processed = min(locked.total, locked.processed + 1)
    locked.save(update_fields=["summary", "processed"])
