"""Applying an order: exactly once, each kind through the services of the app whose data it changes.

``movement_apply`` claims the order (``pending`` → ``applying``) and makes its changes in one
transaction, so a worker killed half-way leaves it ``pending`` for the retry, and a second apply
finds nothing to claim.
"""

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_get_or_create_with_names
from audit.services import audit_log
from colleges.models import Membership, Role
from colleges.services import membership_create_unchecked, membership_end_unchecked
from groups.models import CuratorAssignment, SubjectTeacherAssignment
from groups.services import (
    curator_assign_unchecked,
    curator_end_unchecked,
    enrollment_end,
    enrollment_start,
    enrollment_transfer,
    student_leaves_groups,
    subject_teacher_assign,
    subject_teacher_assignment_end,
)
from groups.signals import EnrollmentChange
from movement.messages import (
    ALREADY_IN_GROUP_MESSAGE,
    GROUP_REQUIRED_MESSAGE,
    MOVED_AWAY_MESSAGE,
    NOT_ACTIVE_MESSAGE,
    NOT_CURATOR_MESSAGE,
    NOT_ENROLLED_MESSAGE,
    NOT_LEFT_MESSAGE,
    NOT_ON_LEAVE_MESSAGE,
    NOT_SUBJECT_TEACHER_MESSAGE,
    PLANNED_RETURN_REASON,
    RETURN_CANCELLED_BY_LEAVING,
    RETURN_CANCELLED_BY_ORDER,
    SAME_GROUP_MESSAGE,
)
from movement.models import ImportBatch, Movement, MovementKind
from movement.selectors import current_enrollment, last_leave


def movement_apply(*, movement_id: int) -> Movement:
    """Apply a due movement exactly once. Applying it again, or concurrently, changes nothing.

    A movement whose preconditions no longer hold (the student has already
    been moved by another order) ends ``failed`` with a Russian reason; the
    history stays as it was.
    """
    today = timezone.localdate()
    with transaction.atomic():
        claimed = Movement.objects.filter(
            pk=movement_id, status=Movement.Status.PENDING, effective_date__lte=today
        ).update(status=Movement.Status.APPLYING)
        movement = Movement.objects.select_related("college", "person", "to_group", "from_group", "discipline").get(
            pk=movement_id
        )
        if not claimed:
            return movement
        try:
            with transaction.atomic():
                _APPLY[movement.kind](movement)
        except (ValidationError, PermissionDenied) as exc:
            # A permission lost since the order was entered fails it the same way as a broken precondition.
            _fail(movement, "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
            return movement
        movement.status = Movement.Status.APPLIED
        movement.applied_at = timezone.now()
        movement.save(update_fields=["status", "applied_at", "person", "from_group", "to_group"])
        audit_log(
            actor=None,
            college=movement.college,
            action="movement.apply",
            target=movement,
            after={"kind": movement.kind, "person": movement.person_id},
        )
    return movement


def _fail(movement: Movement, error: str) -> None:
    movement.status = Movement.Status.FAILED
    movement.error = error
    movement.save(update_fields=["status", "error"])
    audit_log(actor=None, college=movement.college, action="movement.fail", target=movement, after={"error": error})


def _queue_apply(movement_id: int) -> None:
    from movement.tasks import apply_movement

    apply_movement.delay(movement_id)


def _lock_person(movement: Movement) -> Membership:
    # Every movement of one person takes this row lock first, so conflicting orders apply one after another.
    return Membership.objects.select_for_update().get(pk=movement.person_id)


def _require_active(person: Membership) -> None:
    if person.status != Membership.Status.ACTIVE:
        raise ValidationError(NOT_ACTIVE_MESSAGE, code="not_active")


def _user_by_phone(movement: Movement) -> User:
    user, _ = user_get_or_create_with_names(
        phone=movement.phone,
        last_name=movement.last_name,
        first_name=movement.first_name,
        patronymic=movement.patronymic,
    )
    return user


def _student_by_phone(movement: Movement) -> Membership:
    """The student of an enrolment entered by phone: their current student membership, else a new one."""
    user = _user_by_phone(movement)
    existing = (
        Membership.objects.select_for_update()
        .filter(user=user, college_id=movement.college_id, role=Role.STUDENT)
        .exclude(status=Membership.Status.LEFT)
        .first()
    )
    if existing is not None:
        return existing
    return membership_create_unchecked(
        actor=movement.entered_by,
        college=movement.college,
        user=user,
        role=Role.STUDENT,
        order_number=movement.order_number,
        order_date=movement.order_date,
    )


# --- Students ----------------------------------------------------------------------------------------------------


def _apply_enrol(movement: Movement) -> None:
    if movement.person_id is None:
        movement.person = _student_by_phone(movement)
    person = _lock_person(movement)
    _require_active(person)
    current = current_enrollment(person)
    if current is not None:
        raise ValidationError(ALREADY_IN_GROUP_MESSAGE.format(group=current.group), code="already_enrolled")
    enrollment_start(
        actor=movement.entered_by,
        student=person,
        group=movement.to_group,
        started_at=movement.effective_date,
        kind=EnrollmentChange.ENROL,
    )


def _apply_transfer(movement: Movement) -> None:
    person = _lock_person(movement)
    _require_active(person)
    current = current_enrollment(person)
    if current is None:
        raise ValidationError(NOT_ENROLLED_MESSAGE, code="not_enrolled")
    if movement.from_group_id and current.group_id != movement.from_group_id:
        raise ValidationError(
            MOVED_AWAY_MESSAGE.format(expected=movement.from_group, actual=current.group), code="moved_away"
        )
    if current.group_id == movement.to_group_id:
        raise ValidationError(SAME_GROUP_MESSAGE.format(group=current.group), code="same_group")
    enrollment_transfer(
        actor=movement.entered_by, enrollment=current, group=movement.to_group, transferred_at=movement.effective_date
    )
    movement.from_group = current.group


def _apply_leave(movement: Movement) -> None:
    person = _lock_person(movement)
    _require_active(person)
    current = current_enrollment(person)
    if current is None:
        raise ValidationError(NOT_ENROLLED_MESSAGE, code="not_enrolled")
    enrollment_end(
        actor=movement.entered_by,
        enrollment=current,
        ended_at=movement.effective_date,
        kind=EnrollmentChange.ACADEMIC_LEAVE,
    )
    movement.from_group = current.group
    if movement.planned_return_date:
        back = Movement.objects.create(
            college_id=movement.college_id,
            kind=MovementKind.LEAVE_RETURN,
            person=person,
            to_group=current.group,
            order_number=movement.order_number,
            order_date=movement.order_date,
            effective_date=movement.planned_return_date,
            reason=PLANNED_RETURN_REASON,
            entered_by=movement.entered_by,
            caused_by=movement,
        )
        if back.effective_date <= timezone.localdate():
            transaction.on_commit(partial(_queue_apply, back.pk), robust=True)


def _apply_return(movement: Movement) -> None:
    person = _lock_person(movement)
    _require_active(person)
    leave = last_leave(person)
    if leave is None or current_enrollment(person) is not None:
        raise ValidationError(NOT_ON_LEAVE_MESSAGE, code="not_on_leave")
    group = movement.to_group or leave.from_group
    if group is None:
        raise ValidationError(GROUP_REQUIRED_MESSAGE, code="no_group")
    started = max(movement.effective_date, leave.effective_date)
    enrollment_start(
        actor=movement.entered_by, student=person, group=group, started_at=started, kind=EnrollmentChange.LEAVE_RETURN
    )
    movement.to_group = group
    Movement.objects.filter(caused_by=leave, kind=MovementKind.LEAVE_RETURN, status=Movement.Status.PENDING).exclude(
        pk=movement.pk
    ).update(status=Movement.Status.CANCELLED, error=RETURN_CANCELLED_BY_ORDER)


def _apply_leave_college(movement: Movement) -> None:
    """Expulsion and graduation: the enrollment (if any) ends and the person leaves the college."""
    person = _lock_person(movement)
    _require_active(person)
    ended = student_leaves_groups(
        actor=movement.entered_by,
        student=person,
        ended_at=movement.effective_date,
        kind=EnrollmentChange(movement.kind),  # EXPEL or GRADUATE
    )
    if ended is not None:
        movement.from_group_id = ended.group_id
    membership_end_unchecked(actor=movement.entered_by, membership=person)
    # The planned return from a leave the student will never come back from.
    Movement.objects.filter(
        person__user_id=person.user_id,
        college_id=person.college_id,
        kind=MovementKind.LEAVE_RETURN,
        status=Movement.Status.PENDING,
        caused_by__isnull=False,
    ).update(status=Movement.Status.CANCELLED, error=RETURN_CANCELLED_BY_LEAVING)


def _apply_reinstate(movement: Movement) -> None:
    person = _lock_person(movement)
    if person.status != Membership.Status.LEFT:
        raise ValidationError(NOT_LEFT_MESSAGE, code="not_left")
    membership = membership_create_unchecked(
        actor=movement.entered_by,
        college=movement.college,
        user=person.user,
        role=Role.STUDENT,
        order_number=movement.order_number,
        order_date=movement.order_date,
    )
    enrollment_start(
        actor=movement.entered_by,
        student=membership,
        group=movement.to_group,
        started_at=movement.effective_date,
        kind=EnrollmentChange.REINSTATE,
    )


# --- Staff -------------------------------------------------------------------------------------------------------


def _apply_hire(movement: Movement) -> None:
    movement.person = membership_create_unchecked(
        actor=movement.entered_by,
        college=movement.college,
        user=_user_by_phone(movement),
        role=movement.role,
        position=movement.position,
        order_number=movement.order_number,
        order_date=movement.order_date,
    )


def _apply_dismiss(movement: Movement) -> None:
    person = _lock_person(movement)
    _require_active(person)
    # The groups services end each assignment and tell chats (staff_assignment_changed) themselves.
    for assignment in CuratorAssignment.objects.filter(teacher=person, ended_at__isnull=True):
        curator_end_unchecked(actor=movement.entered_by, assignment=assignment, ended_at=movement.effective_date)
    for assignment in SubjectTeacherAssignment.objects.filter(teacher=person, ended_at__isnull=True):
        subject_teacher_assignment_end(
            actor=movement.entered_by, assignment=assignment, ended_at=movement.effective_date
        )
    membership_end_unchecked(actor=movement.entered_by, membership=person)


def _apply_curator_assign(movement: Movement) -> None:
    """The new curator takes the group over; the groups service ends the previous one and tells both."""
    person = _lock_person(movement)
    _require_active(person)
    curator_assign_unchecked(
        actor=movement.entered_by,
        group=movement.to_group,
        teacher=person,
        started_at=movement.effective_date,
    )


def _apply_curator_unassign(movement: Movement) -> None:
    person = _lock_person(movement)
    assignment = CuratorAssignment.objects.filter(
        group=movement.to_group, teacher=person, ended_at__isnull=True
    ).first()
    if assignment is None:
        raise ValidationError(NOT_CURATOR_MESSAGE, code="not_curator")
    curator_end_unchecked(actor=movement.entered_by, assignment=assignment, ended_at=movement.effective_date)


def _apply_subject_assign(movement: Movement) -> None:
    person = _lock_person(movement)
    _require_active(person)
    subject_teacher_assign(
        actor=movement.entered_by,
        group=movement.to_group,
        teacher=person,
        discipline=movement.discipline,
        started_at=movement.effective_date,
    )


def _apply_subject_unassign(movement: Movement) -> None:
    person = _lock_person(movement)
    assignment = SubjectTeacherAssignment.objects.filter(
        group=movement.to_group, teacher=person, discipline=movement.discipline, ended_at__isnull=True
    ).first()
    if assignment is None:
        raise ValidationError(NOT_SUBJECT_TEACHER_MESSAGE, code="not_assigned")
    subject_teacher_assignment_end(actor=movement.entered_by, assignment=assignment, ended_at=movement.effective_date)


_APPLY = {
    MovementKind.ENROL: _apply_enrol,
    MovementKind.TRANSFER: _apply_transfer,
    MovementKind.ACADEMIC_LEAVE: _apply_leave,
    MovementKind.LEAVE_RETURN: _apply_return,
    MovementKind.EXPEL: _apply_leave_college,
    MovementKind.GRADUATE: _apply_leave_college,
    MovementKind.REINSTATE: _apply_reinstate,
    MovementKind.HIRE: _apply_hire,
    MovementKind.DISMISS: _apply_dismiss,
    MovementKind.CURATOR_ASSIGN: _apply_curator_assign,
    MovementKind.CURATOR_UNASSIGN: _apply_curator_unassign,
    MovementKind.SUBJECT_ASSIGN: _apply_subject_assign,
    MovementKind.SUBJECT_UNASSIGN: _apply_subject_unassign,
}


# --- The orders of a batch (a rollback, a roll-over) -------------------------------------------------------------


def _apply_pending_of(batch: ImportBatch) -> None:
    """Apply the batch's pending orders one by one (each exactly once), counting them as they go."""
    for movement_id in (
        batch.movements.filter(status=Movement.Status.PENDING).order_by("id").values_list("pk", flat=True)
    ):
        movement_apply(movement_id=movement_id)
        ImportBatch.objects.filter(pk=batch.pk).update(processed=models.F("processed") + 1)


def _batch_done(batch_id: int) -> None:
    ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.APPLYING).update(
        status=ImportBatch.Status.APPLIED, applied_at=timezone.now(), processed=models.F("total")
    )
