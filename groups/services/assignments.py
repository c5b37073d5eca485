"""Teachers of a group: its curator and the teachers of its disciplines."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_log
from colleges.models import Membership, Role
from groups import permissions
from groups.models import CuratorAssignment, Discipline, StudyGroup, SubjectTeacherAssignment
from groups.signals import StaffAssignmentKind, staff_assignment_changed

NOT_A_TEACHER_MESSAGE = "Куратором может быть только преподаватель этого колледжа."
NOT_A_SUBJECT_TEACHER_MESSAGE = "Преподавателем дисциплины может быть только преподаватель этого колледжа."
FOREIGN_DISCIPLINE_MESSAGE = "Выберите дисциплину этого колледжа."
ALREADY_TEACHES_MESSAGE = "Этот преподаватель уже ведёт эту дисциплину в группе."
ASSIGN_CURATOR_DENIED = "Назначать кураторов может только администратор платформы колледжа."
ASSIGN_SUBJECT_DENIED = "Назначать преподавателей дисциплин может только администратор платформы колледжа."


def _send_staff_assignment_changed(*, college_id: int, group_id: int, teacher_id: int, kind: str) -> None:
    transaction.on_commit(
        lambda: staff_assignment_changed.send(
            sender=CuratorAssignment if kind == StaffAssignmentKind.CURATOR else SubjectTeacherAssignment,
            college_id=college_id,
            group_id=group_id,
            teacher_id=teacher_id,
            kind=kind,
        ),
        robust=True,
    )


def _check_teacher(teacher: Membership, group: StudyGroup, message: str) -> None:
    if teacher.role != Role.TEACHER or teacher.college_id != group.college_id or not teacher.is_active:
        raise ValidationError({"teacher": message}, code="not_a_teacher")


def curator_assign(
    *, actor: User, group: StudyGroup, teacher: Membership, started_at: datetime.date | None = None
) -> CuratorAssignment:
    """``curator_assign_unchecked`` for a person acting from a page or the API: checked here."""
    if not permissions.can_assign_curator(actor, group):
        raise PermissionDenied(ASSIGN_CURATOR_DENIED)
    return curator_assign_unchecked(actor=actor, group=group, teacher=teacher, started_at=started_at)


def curator_assign_unchecked(
    *, actor: User | None, group: StudyGroup, teacher: Membership, started_at: datetime.date | None = None
) -> CuratorAssignment:
    """Make ``teacher`` the curator of ``group``, ending the previous curator's assignment.

    The group row is locked so two administrators assigning at once leave one
    active curator; the partial unique index backs that up.
    """
    _check_teacher(teacher, group, NOT_A_TEACHER_MESSAGE)
    started_at = started_at or timezone.localdate()
    with transaction.atomic():
        StudyGroup.objects.select_for_update().get(pk=group.pk)
        current = CuratorAssignment.objects.filter(group=group, ended_at__isnull=True).first()
        if current is not None and current.teacher_id == teacher.pk:
            return current
        if current is not None:
            current.ended_at = max(started_at, current.started_at)
            current.save(update_fields=["ended_at"])
            _send_staff_assignment_changed(
                college_id=group.college_id,
                group_id=group.pk,
                teacher_id=current.teacher_id,
                kind=StaffAssignmentKind.CURATOR,
            )
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
        _send_staff_assignment_changed(
            college_id=group.college_id, group_id=group.pk, teacher_id=teacher.pk, kind=StaffAssignmentKind.CURATOR
        )
    return assignment


def curator_end(*, actor: User, assignment: CuratorAssignment) -> CuratorAssignment:
    """``curator_end_unchecked`` (today) for a person acting from a page or the API: checked here."""
    if not permissions.can_assign_curator(actor, assignment.group):
        raise PermissionDenied(ASSIGN_CURATOR_DENIED)
    return curator_end_unchecked(actor=actor, assignment=assignment)


def curator_end_unchecked(
    *, actor: User | None, assignment: CuratorAssignment, ended_at: datetime.date | None = None
) -> CuratorAssignment:
    """End a curator's assignment, leaving the group without a curator. Ending twice changes nothing."""
    ended_at = ended_at or timezone.localdate()
    with transaction.atomic():
        locked = CuratorAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.ended_at is not None:
            return locked
        locked.ended_at = max(ended_at, locked.started_at)
        locked.save(update_fields=["ended_at"])
        audit_log(
            actor=actor,
            college=assignment.group.college,
            action="curator.end",
            target=assignment.group,
            before={"curator": locked.teacher_id},
            after={"curator": None},
        )
        _send_staff_assignment_changed(
            college_id=locked.college_id,
            group_id=locked.group_id,
            teacher_id=locked.teacher_id,
            kind=StaffAssignmentKind.CURATOR,
        )
    return locked


def subject_teacher_assign(
    *,
    actor: User,
    group: StudyGroup,
    teacher: Membership,
    discipline: Discipline,
    started_at: datetime.date | None = None,
) -> SubjectTeacherAssignment:
    """Make ``teacher`` the teacher of ``discipline`` in ``group``."""
    if not permissions.can_assign_subject_teacher(actor, group):
        raise PermissionDenied(ASSIGN_SUBJECT_DENIED)
    _check_teacher(teacher, group, NOT_A_SUBJECT_TEACHER_MESSAGE)
    if discipline.college_id != group.college_id:
        raise ValidationError({"discipline": FOREIGN_DISCIPLINE_MESSAGE}, code="foreign_discipline")
    started_at = started_at or timezone.localdate()
    with transaction.atomic():
        if SubjectTeacherAssignment.objects.filter(
            group=group, teacher=teacher, discipline=discipline, ended_at__isnull=True
        ).exists():
            raise ValidationError({"teacher": ALREADY_TEACHES_MESSAGE}, code="already_teaches")
        try:
            with transaction.atomic():
                assignment = SubjectTeacherAssignment.objects.create(
                    college_id=group.college_id,
                    group=group,
                    teacher=teacher,
                    discipline=discipline,
                    started_at=started_at,
                )
        except IntegrityError as exc:
            raise ValidationError({"teacher": ALREADY_TEACHES_MESSAGE}, code="already_teaches") from exc
        audit_log(
            actor=actor,
            college=group.college,
            action="subject_teacher.assign",
            target=assignment,
            after={"group": group.pk, "teacher": teacher.pk, "discipline": discipline.pk},
        )
        _send_staff_assignment_changed(
            college_id=group.college_id, group_id=group.pk, teacher_id=teacher.pk, kind=StaffAssignmentKind.SUBJECT
        )
    return assignment


def subject_teacher_assignment_end(
    *, actor: User, assignment: SubjectTeacherAssignment, ended_at: datetime.date | None = None
) -> SubjectTeacherAssignment:
    """End a subject teacher assignment. Ending twice changes nothing."""
    if not permissions.can_assign_subject_teacher(actor, assignment.group):
        raise PermissionDenied(ASSIGN_SUBJECT_DENIED)
    ended_at = ended_at or timezone.localdate()
    with transaction.atomic():
        locked = SubjectTeacherAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.ended_at is not None:
            return locked
        locked.ended_at = max(ended_at, locked.started_at)
        locked.save(update_fields=["ended_at"])
        audit_log(
            actor=actor,
            college=assignment.group.college,
            action="subject_teacher.end",
            target=locked,
            after={"ended_at": locked.ended_at},
        )
        _send_staff_assignment_changed(
            college_id=locked.college_id,
            group_id=locked.group_id,
            teacher_id=locked.teacher_id,
            kind=StaffAssignmentKind.SUBJECT,
        )
    return locked
