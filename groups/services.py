"""Every write of the groups app: one transaction each, permission checked, audited."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts.search import fold
from audit.services import audit_log, audit_log_many, model_snapshot
from colleges.models import STAFF_ROLES, College, Department, Membership, Role
from groups import permissions
from groups.models import (
    CuratorAssignment,
    Discipline,
    Enrollment,
    FormOfStudy,
    GroupParent,
    StaffGroup,
    StudyGroup,
    SubjectTeacherAssignment,
)
from groups.signals import EnrollmentChange, StaffAssignmentKind, enrollment_changed, staff_assignment_changed

ALREADY_ENROLLED_MESSAGE = "Обучающийся уже состоит в учебной группе. Для смены группы оформите перевод."
NOT_A_STUDENT_MESSAGE = "Зачислить в группу можно только участника с ролью «обучающийся» этого колледжа."
NOT_A_PARENT_MESSAGE = "Родителем группы может быть только участник с ролью «родитель» этого колледжа."
NOT_A_TEACHER_MESSAGE = "Куратором может быть только преподаватель этого колледжа."
NOT_A_SUBJECT_TEACHER_MESSAGE = "Преподавателем дисциплины может быть только преподаватель этого колледжа."
FOREIGN_DEPARTMENT_MESSAGE = "Выберите отделение этого колледжа."
FOREIGN_DISCIPLINE_MESSAGE = "Выберите дисциплину этого колледжа."
DUPLICATE_GROUP_NAME_MESSAGE = "Учебная группа с таким названием уже есть в колледже."
DUPLICATE_STAFF_GROUP_NAME_MESSAGE = "Группа сотрудников с таким названием уже есть в колледже."
DUPLICATE_DISCIPLINE_NAME_MESSAGE = "Дисциплина с таким названием уже есть в колледже."
ALREADY_TEACHES_MESSAGE = "Этот преподаватель уже ведёт эту дисциплину в группе."
NOT_STAFF_MESSAGE = "В группу сотрудников можно добавить только действующего сотрудника этого колледжа."
MANAGE_GROUPS_DENIED = "Изменять учебные группы может только администратор платформы колледжа."
ASSIGN_CURATOR_DENIED = "Назначать кураторов может только администратор платформы колледжа."
ASSIGN_SUBJECT_DENIED = "Назначать преподавателей дисциплин может только администратор платформы колледжа."
MANAGE_STAFF_GROUPS_DENIED = "Изменять группы сотрудников может только администратор платформы колледжа."
MANAGE_DISCIPLINES_DENIED = "Изменять дисциплины может только администратор платформы колледжа."

STUDY_GROUP_FIELDS = [
    "department",
    "name",
    "specialty_code",
    "specialty_name",
    "course",
    "admission_year",
    "form_of_study",
    "status",
]


def enrollment_start(
    *, actor, student: Membership, group: StudyGroup, kind: str, started_at: datetime.date | None = None
) -> Enrollment:
    """Put a student into a group. Fails if the student already studies in a group.

    ``kind`` (``EnrollmentChange``: ENROL, LEAVE_RETURN, REINSTATE) is what ``enrollment_changed``,
    sent on commit, tells its receivers.

    No permission check: callers are services that already checked (join
    request approval, movement application). The partial unique index
    ``one_active_enrollment_per_student`` is the last word under races.
    """
    kind = EnrollmentChange(kind)
    if student.role != Role.STUDENT or student.college_id != group.college_id:
        raise ValidationError(NOT_A_STUDENT_MESSAGE, code="not_a_student")
    enrollment = _enrollment_create(actor=actor, student=student, group=group, started_at=started_at)
    enrollment_changed_on_commit(
        college_id=group.college_id, student_id=student.pk, old_group_id=None, new_group_id=group.pk, kind=kind
    )
    return enrollment


def _enrollment_create(*, actor, student: Membership, group: StudyGroup, started_at: datetime.date | None):
    started_at = started_at or timezone.localdate()
    # The partial unique index decides (no read-then-write pre-check): one
    # statement fewer on the hot path of accepting an invitation, and the
    # same answer under races.
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                college_id=group.college_id, student=student, group=group, started_at=started_at
            )
            audit_log(
                actor=actor,
                college=group.college,
                action="enrollment.start",
                target=enrollment,
                after={"group": group.pk, "started_at": started_at},
            )
    except IntegrityError as exc:
        raise ValidationError(ALREADY_ENROLLED_MESSAGE, code="already_enrolled") from exc
    return enrollment


def group_parent_add(*, actor, parent: Membership, group: StudyGroup) -> GroupParent:
    """Record that ``parent`` is a parent of ``group`` (they followed its parent link); twice changes nothing.

    No permission check: callers are services that already checked (invitation
    acceptance, join request approval).
    """
    if parent.role != Role.PARENT or parent.college_id != group.college_id:
        raise ValidationError(NOT_A_PARENT_MESSAGE, code="not_a_parent")
    existing = GroupParent.objects.filter(parent=parent, group=group).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            link = GroupParent.objects.create(college_id=group.college_id, parent=parent, group=group)
            audit_log(
                actor=actor,
                college=group.college,
                action="group_parent.add",
                target=link,
                after={"group": group.pk, "parent": parent.pk},
            )
    except IntegrityError:
        # The same parent following the same link twice at once: the unique constraint let one through.
        return GroupParent.objects.get(parent=parent, group=group)
    return link


def enrollment_end(*, actor, enrollment: Enrollment, kind: str, ended_at: datetime.date | None = None) -> Enrollment:
    """Close a student's current enrollment (academic leave, expulsion, graduation).

    ``kind`` (``EnrollmentChange``) goes out with ``enrollment_changed`` on commit; an enrollment already
    closed is left as it is and announced no more. A transfer is ``enrollment_transfer``.
    """
    kind = EnrollmentChange(kind)
    locked = _enrollment_end(actor=actor, enrollment=enrollment, ended_at=ended_at)
    if locked is not None:
        enrollment_changed_on_commit(
            college_id=locked.college_id,
            student_id=locked.student_id,
            old_group_id=locked.group_id,
            new_group_id=None,
            kind=kind,
        )
        return locked
    return Enrollment.objects.get(pk=enrollment.pk)


def _enrollment_end(*, actor, enrollment: Enrollment, ended_at: datetime.date | None) -> Enrollment | None:
    """Close the enrollment; None if it was already closed."""
    ended_at = ended_at or timezone.localdate()
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if locked.ended_at is not None:
            return None
        if ended_at < locked.started_at:
            raise ValidationError("Дата окончания раньше даты зачисления.", code="ended_before_started")
        locked.ended_at = ended_at
        locked.save(update_fields=["ended_at"])
        audit_log(actor=actor, action="enrollment.end", target=locked, after={"ended_at": ended_at})
    return locked


def enrollment_transfer(
    *, actor, enrollment: Enrollment, group: StudyGroup, transferred_at: datetime.date | None = None
) -> Enrollment:
    """Move a student from the group of their current ``enrollment`` to ``group``; returns the new enrollment.

    One transaction; one ``enrollment_changed`` (TRANSFER, both groups) on commit.
    """
    with transaction.atomic():
        ended = _enrollment_end(actor=actor, enrollment=enrollment, ended_at=transferred_at)
        old_group_id = ended.group_id if ended is not None else None
        student = enrollment.student
        if student.role != Role.STUDENT or student.college_id != group.college_id:
            raise ValidationError(NOT_A_STUDENT_MESSAGE, code="not_a_student")
        new = _enrollment_create(actor=actor, student=student, group=group, started_at=transferred_at)
    enrollment_changed_on_commit(
        college_id=group.college_id,
        student_id=student.pk,
        old_group_id=old_group_id,
        new_group_id=group.pk,
        kind=EnrollmentChange.TRANSFER,
    )
    return new


def student_leaves_groups(
    *, actor, student: Membership, kind: str, ended_at: datetime.date | None = None
) -> Enrollment | None:
    """A student leaves the college (``kind`` EXPEL or GRADUATE): their current enrollment, if any, closes.

    ``enrollment_changed`` goes out on commit either way (old group None when they had none), so that
    receivers can close what a leaver still had open. Returns the closed enrollment, if there was one.
    """
    kind = EnrollmentChange(kind)
    current = Enrollment.objects.filter(student=student, ended_at__isnull=True).first()
    locked = _enrollment_end(actor=actor, enrollment=current, ended_at=ended_at) if current is not None else None
    enrollment_changed_on_commit(
        college_id=student.college_id,
        student_id=student.pk,
        old_group_id=locked.group_id if locked is not None else None,
        new_group_id=None,
        kind=kind,
    )
    return locked


def enrollment_changed_on_commit(
    *, college_id: int, student_id: int, old_group_id: int | None, new_group_id: int | None, kind: str
) -> None:
    """Send ``enrollment_changed`` when the current transaction commits (at once outside one).

    Called by the services above only: every enrollment, an accepted invitation's included, goes through them.
    """
    kind = EnrollmentChange(kind)
    transaction.on_commit(
        lambda: enrollment_changed.send(
            sender=Enrollment,
            college_id=college_id,
            student_id=student_id,
            old_group_id=old_group_id,
            new_group_id=new_group_id,
            kind=kind,
        )
    )


@dataclass(frozen=True)
class EnrollmentStart:
    """A student (Membership id) to put into a study group (StudyGroup id), for ``enrollments_start_many``.

    ``kind`` is what ``enrollment_changed`` says for this student: ENROL, or TRANSFER from ``old_group_id``
    (whose enrollment the caller closed with ``enrollments_end_many(kind=TRANSFER)`` in the same transaction).
    """

    student_id: int
    group_id: int
    kind: str = EnrollmentChange.ENROL
    old_group_id: int | None = None


def enrollments_start_many(
    *, actor, college, starts: Sequence[EnrollmentStart], started_at: datetime.date
) -> list[int]:
    """Put many students of ``college`` into its groups at once (a roster import): ``enrollment_start`` in bulk.

    One INSERT and one ``enrollment.start_many`` audit event; the new enrollments' ids are returned. No
    permission check, as for one: callers are services that already checked. Every student must be a
    student of the college and every group a group of it; a student who already studies in a group
    fails the whole call, decided by the partial unique index ``one_active_enrollment_per_student``.
    On commit, one ``enrollment_changed`` per student, with the start's ``kind`` and ``old_group_id``.
    """
    if not starts:
        return []
    kinds = [EnrollmentChange(start.kind) for start in starts]
    student_ids = {start.student_id for start in starts}
    group_ids = {start.group_id for start in starts}
    students = Membership.objects.filter(college=college, role=Role.STUDENT, pk__in=student_ids)
    groups = StudyGroup.objects.filter(college=college, pk__in=group_ids)
    if students.count() != len(student_ids) or groups.count() != len(group_ids):
        raise ValidationError(NOT_A_STUDENT_MESSAGE, code="not_a_student")
    try:
        with transaction.atomic():
            enrollments = Enrollment.objects.bulk_create(
                [
                    Enrollment(
                        college_id=college.pk,
                        student_id=start.student_id,
                        group_id=start.group_id,
                        started_at=started_at,
                    )
                    for start in starts
                ]
            )
    except IntegrityError as exc:
        raise ValidationError(ALREADY_ENROLLED_MESSAGE, code="already_enrolled") from exc
    ids = [enrollment.pk for enrollment in enrollments]
    audit_log_many(
        actor=actor,
        college=college,
        action="enrollment.start_many",
        model=Enrollment,
        ids=ids,
        after={"started_at": started_at},
    )
    for start, kind in zip(starts, kinds, strict=True):
        enrollment_changed_on_commit(
            college_id=college.pk,
            student_id=start.student_id,
            old_group_id=start.old_group_id,
            new_group_id=start.group_id,
            kind=kind,
        )
    return ids


@transaction.atomic
def enrollments_end_many(
    *, actor, college, enrollment_ids: Sequence[int], ended_at: datetime.date, kind: str
) -> list[int]:
    """Close many current enrollments of ``college`` at once: the bulk twin of ``enrollment_end``.

    Rows locked in primary-key order, one UPDATE, one ``enrollment.end_many`` audit event. An enrollment
    that started after ``ended_at`` (an import dated before a later enrolment) ends the day it started
    rather than before it; ones already closed are left as they are. Returns the ids closed here.
    On commit, one ``enrollment_changed`` of ``kind`` per enrollment closed here, except for TRANSFER:
    the transfer's new start (``enrollments_start_many``) announces it, with both groups.
    """
    kind = EnrollmentChange(kind)
    rows = list(
        Enrollment.objects.select_for_update()
        .filter(college=college, pk__in=enrollment_ids, ended_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "student_id", "group_id")
    )
    ending = [pk for pk, _, _ in rows]
    if ending:
        Enrollment.objects.filter(pk__in=ending).update(ended_at=Greatest(F("started_at"), Value(ended_at)))
        audit_log_many(
            actor=actor,
            college=college,
            action="enrollment.end_many",
            model=Enrollment,
            ids=ending,
            after={"ended_at": ended_at},
        )
    if kind != EnrollmentChange.TRANSFER:
        for _, student_id, group_id in rows:
            enrollment_changed_on_commit(
                college_id=college.pk, student_id=student_id, old_group_id=group_id, new_group_id=None, kind=kind
            )
    return ending


def _send_staff_assignment_changed(*, college_id: int, group_id: int, teacher_id: int, kind: str) -> None:
    transaction.on_commit(
        lambda: staff_assignment_changed.send(
            sender=CuratorAssignment if kind == StaffAssignmentKind.CURATOR else SubjectTeacherAssignment,
            college_id=college_id,
            group_id=group_id,
            teacher_id=teacher_id,
            kind=kind,
        )
    )


def _check_teacher(teacher: Membership, group: StudyGroup, message: str) -> None:
    if teacher.role != Role.TEACHER or teacher.college_id != group.college_id or not teacher.is_active:
        raise ValidationError({"teacher": message}, code="not_a_teacher")


def curator_assign(
    *, actor, group: StudyGroup, teacher: Membership, started_at: datetime.date | None = None
) -> CuratorAssignment:
    """``curator_assign_unchecked`` for a person acting from a page or the API: checked here."""
    if not permissions.can_assign_curator(actor, group):
        raise PermissionDenied(ASSIGN_CURATOR_DENIED)
    return curator_assign_unchecked(actor=actor, group=group, teacher=teacher, started_at=started_at)


def curator_assign_unchecked(
    *, actor, group: StudyGroup, teacher: Membership, started_at: datetime.date | None = None
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


def curator_end(*, actor, assignment: CuratorAssignment, ended_at: datetime.date | None = None) -> CuratorAssignment:
    """``curator_end_unchecked`` for a person acting from a page or the API: checked here."""
    if not permissions.can_assign_curator(actor, assignment.group):
        raise PermissionDenied(ASSIGN_CURATOR_DENIED)
    return curator_end_unchecked(actor=actor, assignment=assignment, ended_at=ended_at)


def curator_end_unchecked(
    *, actor, assignment: CuratorAssignment, ended_at: datetime.date | None = None
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
    actor,
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
    *, actor, assignment: SubjectTeacherAssignment, ended_at: datetime.date | None = None
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


def _clean_study_group(group: StudyGroup) -> None:
    group.full_clean(exclude=["college"], validate_constraints=False)
    if group.department_id and group.department.college_id != group.college_id:
        raise ValidationError({"department": FOREIGN_DEPARTMENT_MESSAGE}, code="foreign_department")
    if (
        StudyGroup.objects.filter(college_id=group.college_id, name__fold=fold(group.name))
        .exclude(pk=group.pk)
        .exists()
    ):
        raise ValidationError({"name": DUPLICATE_GROUP_NAME_MESSAGE}, code="duplicate_name")


def _save_unique(instance, field: str, message: str) -> None:
    """Save; a concurrent duplicate caught by the unique constraint becomes the same field error."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationError({field: message}, code="duplicate_name") from exc


def study_group_create(
    *,
    actor,
    college: College,
    department: Department,
    name: str,
    admission_year: int,
    specialty_code: str = "",
    specialty_name: str = "",
    course: int = 1,
    form_of_study: str = FormOfStudy.FULL_TIME,
    status: str = StudyGroup.Status.ACTIVE,
) -> StudyGroup:
    if not permissions.can_create_study_group(actor, college):
        raise PermissionDenied(MANAGE_GROUPS_DENIED)
    group = StudyGroup(
        college=college,
        department=department,
        name=(name or "").strip(),
        specialty_code=(specialty_code or "").strip(),
        specialty_name=(specialty_name or "").strip(),
        course=course,
        admission_year=admission_year,
        form_of_study=form_of_study,
        status=status,
    )
    with transaction.atomic():
        _clean_study_group(group)
        _save_unique(group, "name", DUPLICATE_GROUP_NAME_MESSAGE)
        audit_log(
            actor=actor,
            college=college,
            action="study_group.create",
            target=group,
            after=model_snapshot(group, STUDY_GROUP_FIELDS),
        )
    return group


def study_group_update(*, actor, group: StudyGroup, **changes) -> StudyGroup:
    """Change some of STUDY_GROUP_FIELDS of ``group``."""
    if not permissions.can_edit_study_group(actor, group):
        raise PermissionDenied(MANAGE_GROUPS_DENIED)
    unknown = set(changes) - set(STUDY_GROUP_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    with transaction.atomic():
        group = StudyGroup.objects.select_for_update(of=("self",)).select_related("department").get(pk=group.pk)
        before = model_snapshot(group, STUDY_GROUP_FIELDS)
        for field, value in changes.items():
            if isinstance(value, str):
                value = value.strip()
            setattr(group, field, value)
        _clean_study_group(group)
        _save_unique(group, "name", DUPLICATE_GROUP_NAME_MESSAGE)
        after = model_snapshot(group, STUDY_GROUP_FIELDS)
        if before != after:
            audit_log(
                actor=actor,
                college=group.college,
                action="study_group.update",
                target=group,
                before={k: v for k, v in before.items() if after[k] != v},
                after={k: v for k, v in after.items() if before[k] != v},
            )
    return group


def _clean_named(instance, model, message: str) -> None:
    instance.full_clean(exclude=["college", "members"], validate_constraints=False)
    duplicates = model.objects.filter(college_id=instance.college_id, name__fold=fold(instance.name))
    if duplicates.exclude(pk=instance.pk).exists():
        raise ValidationError({"name": message}, code="duplicate_name")


def _named_update(*, actor, instance, values: dict[str, str], duplicate_message: str, action: str):
    """Change the text fields of a named object of a college (name unique in it, case-insensitive), audited."""
    model = type(instance)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=instance.pk)
        before = {field: getattr(locked, field) for field in values}
        for field, value in values.items():
            setattr(locked, field, (value or "").strip())
        _clean_named(locked, model, duplicate_message)
        _save_unique(locked, "name", duplicate_message)
        audit_log(
            actor=actor,
            college=locked.college,
            action=action,
            target=locked,
            before=before,
            after={field: getattr(locked, field) for field in values},
        )
    return locked


def staff_group_create(*, actor, college: College, name: str, description: str = "") -> StaffGroup:
    if not permissions.can_manage_staff_groups(actor, college):
        raise PermissionDenied(MANAGE_STAFF_GROUPS_DENIED)
    staff_group = StaffGroup(college=college, name=(name or "").strip(), description=(description or "").strip())
    with transaction.atomic():
        _clean_named(staff_group, StaffGroup, DUPLICATE_STAFF_GROUP_NAME_MESSAGE)
        _save_unique(staff_group, "name", DUPLICATE_STAFF_GROUP_NAME_MESSAGE)
        audit_log(actor=actor, college=college, action="staff_group.create", target=staff_group)
    return staff_group


def staff_group_update(*, actor, staff_group: StaffGroup, name: str, description: str = "") -> StaffGroup:
    if not permissions.can_manage_staff_groups(actor, staff_group.college):
        raise PermissionDenied(MANAGE_STAFF_GROUPS_DENIED)
    return _named_update(
        actor=actor,
        instance=staff_group,
        values={"name": name, "description": description},
        duplicate_message=DUPLICATE_STAFF_GROUP_NAME_MESSAGE,
        action="staff_group.update",
    )


def staff_group_member_add(*, actor, staff_group: StaffGroup, member: Membership) -> StaffGroup:
    """Add a staff membership of the same college. Adding a member twice changes nothing."""
    if not permissions.can_manage_staff_groups(actor, staff_group.college):
        raise PermissionDenied(MANAGE_STAFF_GROUPS_DENIED)
    if member.college_id != staff_group.college_id or member.role not in STAFF_ROLES or not member.is_active:
        raise ValidationError({"member": NOT_STAFF_MESSAGE}, code="not_staff")
    with transaction.atomic():
        if staff_group.members.filter(pk=member.pk).exists():
            return staff_group
        staff_group.members.add(member)
        audit_log(
            actor=actor,
            college=staff_group.college,
            action="staff_group.member_add",
            target=staff_group,
            after={"member": member.pk},
        )
    return staff_group


def staff_group_member_remove(*, actor, staff_group: StaffGroup, member: Membership) -> StaffGroup:
    if not permissions.can_manage_staff_groups(actor, staff_group.college):
        raise PermissionDenied(MANAGE_STAFF_GROUPS_DENIED)
    with transaction.atomic():
        if not staff_group.members.filter(pk=member.pk).exists():
            return staff_group
        staff_group.members.remove(member)
        audit_log(
            actor=actor,
            college=staff_group.college,
            action="staff_group.member_remove",
            target=staff_group,
            before={"member": member.pk},
        )
    return staff_group


def discipline_create(*, actor, college: College, name: str, code: str = "") -> Discipline:
    if not permissions.can_manage_disciplines(actor, college):
        raise PermissionDenied(MANAGE_DISCIPLINES_DENIED)
    discipline = Discipline(college=college, name=(name or "").strip(), code=(code or "").strip())
    with transaction.atomic():
        _clean_named(discipline, Discipline, DUPLICATE_DISCIPLINE_NAME_MESSAGE)
        _save_unique(discipline, "name", DUPLICATE_DISCIPLINE_NAME_MESSAGE)
        audit_log(
            actor=actor,
            college=college,
            action="discipline.create",
            target=discipline,
            after={"name": discipline.name, "code": discipline.code},
        )
    return discipline


def discipline_update(*, actor, discipline: Discipline, name: str, code: str = "") -> Discipline:
    if not permissions.can_manage_disciplines(actor, discipline.college):
        raise PermissionDenied(MANAGE_DISCIPLINES_DENIED)
    return _named_update(
        actor=actor,
        instance=discipline,
        values={"name": name, "code": code},
        duplicate_message=DUPLICATE_DISCIPLINE_NAME_MESSAGE,
        action="discipline.update",
    )
