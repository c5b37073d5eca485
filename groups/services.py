"""Every write of the groups app: one transaction each, permission checked, audited."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_log
from colleges.models import Membership, Role
from groups.models import CuratorAssignment, Enrollment, StudyGroup

ALREADY_ENROLLED_MESSAGE = "Обучающийся уже состоит в учебной группе. Для смены группы оформите перевод."
NOT_A_STUDENT_MESSAGE = "Зачислить в группу можно только участника с ролью «обучающийся» этого колледжа."
NOT_A_TEACHER_MESSAGE = "Куратором может быть только преподаватель этого колледжа."


def enrollment_start(
    *, actor, student: Membership, group: StudyGroup, started_at: datetime.date | None = None
) -> Enrollment:
    """Put a student into a group. Fails if the student already studies in a group.

    No permission check: callers are services that already checked (join
    request approval, movement application). The partial unique index
    ``one_active_enrollment_per_student`` is the last word under races.
    """
    if student.role != Role.STUDENT or student.college_id != group.college_id:
        raise ValidationError(NOT_A_STUDENT_MESSAGE, code="not_a_student")
    started_at = started_at or timezone.localdate()
    with transaction.atomic():
        if Enrollment.objects.filter(student=student, ended_at__isnull=True).exists():
            raise ValidationError(ALREADY_ENROLLED_MESSAGE, code="already_enrolled")
        try:
            with transaction.atomic():
                enrollment = Enrollment.objects.create(
                    college_id=group.college_id, student=student, group=group, started_at=started_at
                )
        except IntegrityError as exc:
            raise ValidationError(ALREADY_ENROLLED_MESSAGE, code="already_enrolled") from exc
        audit_log(
            actor=actor,
            college=group.college,
            action="enrollment.start",
            target=enrollment,
            after={"group": group.pk, "started_at": started_at},
        )
    return enrollment


def enrollment_end(*, actor, enrollment: Enrollment, ended_at: datetime.date | None = None) -> Enrollment:
    """Close a student's current enrollment (transfer, leave, expulsion, graduation)."""
    ended_at = ended_at or timezone.localdate()
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if locked.ended_at is not None:
            return locked
        if ended_at < locked.started_at:
            raise ValidationError("Дата окончания раньше даты зачисления.", code="ended_before_started")
        locked.ended_at = ended_at
        locked.save(update_fields=["ended_at"])
        audit_log(actor=actor, action="enrollment.end", target=locked, after={"ended_at": ended_at})
    return locked


def curator_assign(
    *,
    actor,
    group: StudyGroup,
    teacher: Membership,
    started_at: datetime.date | None = None,
    check_permission: bool = True,
) -> CuratorAssignment:
    """Make ``teacher`` the curator of ``group``, ending the previous curator's assignment.

    The group row is locked so two administrators assigning at once leave one
    active curator; the partial unique index backs that up.
    """
    from colleges.permissions import can_manage_college

    if check_permission and not can_manage_college(actor, group.college):
        raise PermissionDenied("Назначать кураторов может только администратор платформы колледжа.")
    if teacher.role != Role.TEACHER or teacher.college_id != group.college_id or not teacher.is_active:
        raise ValidationError(NOT_A_TEACHER_MESSAGE, code="not_a_teacher")
    started_at = started_at or timezone.localdate()
    with transaction.atomic():
        StudyGroup.objects.select_for_update().get(pk=group.pk)
        current = CuratorAssignment.objects.filter(group=group, ended_at__isnull=True).first()
        if current is not None and current.teacher_id == teacher.pk:
            return current
        if current is not None:
            current.ended_at = started_at
            current.save(update_fields=["ended_at"])
        assignment = CuratorAssignment.objects.create(
            college_id=group.college_id, group=group, teacher=teacher, started_at=started_at
        )
        audit_log(
            actor=actor,
            college=group.college,
            action="curator.assign",
            target=group,
            before={"curator": current.teacher_id if current else None},
            after={"curator": teacher.pk},
        )
    return assignment
