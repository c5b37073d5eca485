"""Every write of movement of students and staff: one transaction each, permission checked, audited.

A movement is created ``pending`` and applied exactly once by
``movement_apply``: the claim (``pending`` → ``applying``) and the changes it
makes commit together, so a worker killed half-way leaves the movement
``pending`` for the retry, and a second apply finds nothing to claim.
"""

import datetime
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.phones import normalize_phone
from accounts.services import PersonByPhone, users_get_or_create_many
from audit.services import audit_log
from colleges.models import College, Membership, Role
from colleges.services import (
    membership_create_unchecked,
    membership_end_unchecked,
    memberships_add_many_unchecked,
    memberships_end_many_unchecked,
    user_get_or_create_by_phone,
)
from core import college_cache
from groups.models import CuratorAssignment, Discipline, Enrollment, StudyGroup, SubjectTeacherAssignment
from groups.services import (
    EnrollmentStart,
    curator_assign_unchecked,
    curator_end_unchecked,
    enrollment_end,
    enrollment_start,
    enrollment_transfer,
    enrollments_end_many,
    enrollments_start_many,
    student_leaves_groups,
    subject_teacher_assign,
    subject_teacher_assignment_end,
)
from groups.signals import EnrollmentChange
from movement.models import STUDENT_KINDS, ExpelReason, Movement, MovementKind
from movement.permissions import can_manage_movements

NOT_ALLOWED_MESSAGE = "Оформлять движение контингента может только администратор платформы колледжа."
NOT_ENROLLED_MESSAGE = "Обучающийся не состоит ни в одной учебной группе."
NOT_ON_LEAVE_MESSAGE = "Обучающийся не находится в академическом отпуске."
ALREADY_IN_GROUP_MESSAGE = "Обучающийся уже состоит в учебной группе «{group}». Оформите перевод."
SAME_GROUP_MESSAGE = "Обучающийся уже состоит в группе «{group}»."
MOVED_AWAY_MESSAGE = "Обучающийся уже не состоит в группе «{expected}» (сейчас: {actual})."
NOT_ACTIVE_MESSAGE = "Участник выбыл из колледжа. Для возвращения оформите восстановление."
NOT_LEFT_MESSAGE = "Восстановить можно только выбывшего обучающегося."
NOT_A_STUDENT_MESSAGE = "Этот вид движения оформляется только для обучающихся."
NOT_STAFF_MESSAGE = "Этот вид движения оформляется только для сотрудников."
NOT_A_TEACHER_MESSAGE = "Куратором и преподавателем дисциплины может быть только преподаватель."
GROUP_REQUIRED_MESSAGE = "Укажите учебную группу."
REASON_REQUIRED_MESSAGE = "Укажите причину отчисления."
RETURN_DATE_MESSAGE = "Плановая дата выхода должна быть позже даты начала отпуска."
NOT_CURATOR_MESSAGE = "Преподаватель не является куратором этой группы."
NOT_SUBJECT_TEACHER_MESSAGE = "Преподаватель не ведёт эту дисциплину в этой группе."
ALREADY_SUBJECT_TEACHER_MESSAGE = "Преподаватель уже ведёт эту дисциплину в этой группе."
ALREADY_STUDYING_MESSAGE = (
    "Обучающийся с этим телефоном уже состоит в группе «{group}». Откройте его карточку и оформите перевод."
)
BEFORE_ENROLLMENT_MESSAGE = (
    "Дата вступления в силу раньше зачисления в группу «{group}» ({date}). "
    "Приказ не может действовать до зачисления — проверьте дату."
)
ONLY_PENDING_CANCEL_MESSAGE = (
    "Отменить можно только ещё не применённое движение. Примененное исправляется новым приказом."
)

GROUP_KINDS = {
    MovementKind.ENROL,
    MovementKind.TRANSFER,
    MovementKind.REINSTATE,
    MovementKind.CURATOR_ASSIGN,
    MovementKind.CURATOR_UNASSIGN,
    MovementKind.SUBJECT_ASSIGN,
    MovementKind.SUBJECT_UNASSIGN,
}


# Orders that end the student's current enrollment on their effective date.
ENDS_ENROLLMENT_KINDS = {MovementKind.TRANSFER, MovementKind.ACADEMIC_LEAVE, MovementKind.EXPEL, MovementKind.GRADUATE}


def expel_reason_label(value: str) -> str:
    """A reason code from the list becomes its Russian wording; free text stays as typed."""
    return ExpelReason(value).label if value in ExpelReason.values else value


def current_enrollment(membership: Membership) -> Enrollment | None:
    return Enrollment.objects.filter(student=membership, ended_at__isnull=True).select_related("group").first()


def last_leave(membership: Membership) -> Movement | None:
    """The academic leave the student is on now, if the last applied student movement of this user is one."""
    last = (
        Movement.objects.filter(
            person__user_id=membership.user_id,
            college_id=membership.college_id,
            kind__in=STUDENT_KINDS,
            status=Movement.Status.APPLIED,
        )
        .order_by("-applied_at", "-id")
        .first()
    )
    return last if last is not None and last.kind == MovementKind.ACADEMIC_LEAVE else None


def _current_enrollment_by_phone(*, college: College, phone: str) -> Enrollment | None:
    return (
        Enrollment.objects.filter(
            college=college, student__user__phone=phone, student__role=Role.STUDENT, ended_at__isnull=True
        )
        .select_related("group")
        .first()
    )


# --- Create, cancel ----------------------------------------------------------------------------------------------


@transaction.atomic
def movement_create(
    *,
    actor,
    college: College,
    kind: str,
    order_number: str,
    order_date: datetime.date,
    effective_date: datetime.date,
    person: Membership | None = None,
    to_group: StudyGroup | None = None,
    discipline: Discipline | None = None,
    reason: str = "",
    planned_return_date: datetime.date | None = None,
    phone: str = "",
    last_name: str = "",
    first_name: str = "",
    patronymic: str = "",
    role: str = "",
    position: str = "",
    caused_by: Movement | None = None,
    check_permission: bool = True,
    apply_now: bool = False,
) -> Movement:
    """Record an order. It is applied right after commit when due today or earlier, else on its date by beat.

    ``apply_now`` applies it inside the caller's transaction instead (a join request approved today moves the
    student at once): a failure raises ``ValidationError`` with the reason, so nothing of the caller is kept.
    """
    if check_permission and not can_manage_movements(actor, college):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    if kind not in MovementKind.values:
        raise ValidationError({"kind": "Неизвестный вид движения."})
    errors: dict[str, str] = {}
    from_group = None
    current = None
    if kind == MovementKind.HIRE or (kind == MovementKind.ENROL and person is None):
        # A person who may never have been here: found or created by the phone when the order is applied.
        try:
            phone = normalize_phone(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
        if not last_name.strip():
            errors["last_name"] = "Укажите фамилию."
        if not first_name.strip():
            errors["first_name"] = "Укажите имя."
        if kind == MovementKind.ENROL:
            role = Role.STUDENT
            enrolled = _current_enrollment_by_phone(college=college, phone=phone) if "phone" not in errors else None
            if enrolled is not None:
                errors["phone"] = ALREADY_STUDYING_MESSAGE.format(group=enrolled.group)
        elif role not in (Role.TEACHER, Role.ADMINISTRATION):
            errors["role"] = "Принять на работу можно преподавателя или сотрудника администрации."
    else:
        if person is None or person.college_id != college.pk:
            raise ValidationError({"person": "Участник не найден в этом колледже."})
        if kind in STUDENT_KINDS and person.role != Role.STUDENT:
            errors["kind"] = NOT_A_STUDENT_MESSAGE
        if kind not in STUDENT_KINDS and person.role not in (Role.TEACHER, Role.ADMINISTRATION):
            errors["kind"] = NOT_STAFF_MESSAGE
        if (
            kind
            in (
                MovementKind.CURATOR_ASSIGN,
                MovementKind.CURATOR_UNASSIGN,
                MovementKind.SUBJECT_ASSIGN,
                MovementKind.SUBJECT_UNASSIGN,
            )
            and person.role != Role.TEACHER
        ):
            errors["kind"] = NOT_A_TEACHER_MESSAGE
        if kind in STUDENT_KINDS:
            current = current_enrollment(person)
            from_group = current.group if current else None
    if kind in ENDS_ENROLLMENT_KINDS and current is not None and effective_date < current.started_at:
        # Applying it would end the enrollment before it began: refuse now, not fail later as «не применено».
        errors["effective_date"] = BEFORE_ENROLLMENT_MESSAGE.format(
            group=current.group, date=current.started_at.strftime("%d.%m.%Y")
        )
    if kind in GROUP_KINDS and to_group is None:
        errors["to_group"] = GROUP_REQUIRED_MESSAGE
    if to_group is not None and to_group.college_id != college.pk:
        errors["to_group"] = "Группа не найдена в этом колледже."
    if kind == MovementKind.TRANSFER and to_group is not None and from_group == to_group:
        errors["to_group"] = SAME_GROUP_MESSAGE.format(group=to_group)
    if kind in (MovementKind.SUBJECT_ASSIGN, MovementKind.SUBJECT_UNASSIGN):
        if discipline is None or discipline.college_id != college.pk:
            errors["discipline"] = "Укажите дисциплину."
    if kind == MovementKind.EXPEL and not reason.strip():
        errors["reason"] = REASON_REQUIRED_MESSAGE
    if kind == MovementKind.ACADEMIC_LEAVE and planned_return_date and planned_return_date <= effective_date:
        errors["planned_return_date"] = RETURN_DATE_MESSAGE
    if not (order_number or "").strip():
        errors["order_number"] = "Укажите номер приказа."
    if errors:
        raise ValidationError(errors)
    movement = Movement.objects.create(
        college=college,
        kind=kind,
        person=person,
        phone=phone,
        last_name=last_name.strip(),
        first_name=first_name.strip(),
        patronymic=patronymic.strip(),
        role=role,
        position=position,
        from_group=from_group,
        to_group=to_group,
        discipline=discipline,
        order_number=order_number.strip(),
        order_date=order_date,
        effective_date=effective_date,
        reason=expel_reason_label(reason.strip()) if kind == MovementKind.EXPEL else reason.strip(),
        planned_return_date=planned_return_date if kind == MovementKind.ACADEMIC_LEAVE else None,
        entered_by=actor if getattr(actor, "is_authenticated", False) else None,
        caused_by=caused_by,
    )
    audit_log(
        actor=actor,
        college=college,
        action="movement.create",
        target=movement,
        after={"kind": kind, "person": person.pk if person else None, "effective_date": effective_date},
    )
    if apply_now:
        movement = movement_apply(movement_id=movement.pk)
        if movement.status != Movement.Status.APPLIED:
            raise ValidationError(movement.error or "Приказ ещё не вступил в силу.", code="not_applied")
    elif effective_date <= timezone.localdate():
        transaction.on_commit(partial(_queue_apply, movement.pk))
    return movement


def _queue_apply(movement_id: int) -> None:
    from movement.tasks import apply_movement

    apply_movement.delay(movement_id)


@transaction.atomic
def movement_cancel(*, actor, movement: Movement) -> Movement:
    """Withdraw an order that has not been applied yet. Applied orders are corrected by new ones."""
    if not can_manage_movements(actor, movement.college):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    if not Movement.objects.filter(pk=movement.pk, status=Movement.Status.PENDING).update(
        status=Movement.Status.CANCELLED
    ):
        raise ValidationError(ONLY_PENDING_CANCEL_MESSAGE, code="not_pending")
    movement.refresh_from_db()
    audit_log(actor=actor, college=movement.college, action="movement.cancel", target=movement)
    return movement


# --- Apply -------------------------------------------------------------------------------------------------------


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
            movement.status = Movement.Status.FAILED
            movement.error = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            movement.save(update_fields=["status", "error"])
            audit_log(
                actor=None,
                college=movement.college,
                action="movement.fail",
                target=movement,
                after={"error": movement.error},
            )
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


def _lock_person(movement: Movement) -> Membership:
    # Every movement of one person takes this row lock first, so conflicting orders apply one after another.
    return Membership.objects.select_for_update().get(pk=movement.person_id)


def _require_active(person: Membership) -> None:
    if person.status != Membership.Status.ACTIVE:
        raise ValidationError(NOT_ACTIVE_MESSAGE, code="not_active")


def _cancel_pending_returns(person: Membership) -> None:
    Movement.objects.filter(
        person__user_id=person.user_id,
        college_id=person.college_id,
        kind=MovementKind.LEAVE_RETURN,
        status=Movement.Status.PENDING,
        caused_by__isnull=False,
    ).update(status=Movement.Status.CANCELLED, error="Отменено: обучающийся уже вышел из отпуска или выбыл.")


def _student_by_phone(movement: Movement) -> Membership:
    """The student of an enrolment entered by phone: their current student membership, else a new one."""
    user, _ = user_get_or_create_by_phone(
        phone=movement.phone,
        last_name=movement.last_name,
        first_name=movement.first_name,
        patronymic=movement.patronymic,
    )
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
            reason="Плановый выход из академического отпуска",
            entered_by=movement.entered_by,
            caused_by=movement,
        )
        if back.effective_date <= timezone.localdate():
            transaction.on_commit(partial(_queue_apply, back.pk))


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
    ).update(status=Movement.Status.CANCELLED, error="Отменено: выход оформлен приказом.")


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
    _cancel_pending_returns(person)


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


def _apply_hire(movement: Movement) -> None:
    user, _ = user_get_or_create_by_phone(
        phone=movement.phone,
        last_name=movement.last_name,
        first_name=movement.first_name,
        patronymic=movement.patronymic,
    )
    movement.person = membership_create_unchecked(
        actor=movement.entered_by,
        college=movement.college,
        user=user,
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
        curator_end_unchecked(
            actor=movement.entered_by,
            assignment=assignment,
            ended_at=movement.effective_date,
        )
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
    curator_end_unchecked(
        actor=movement.entered_by,
        assignment=assignment,
        ended_at=movement.effective_date,
    )


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


def due_movement_ids(*, today: datetime.date | None = None) -> list[int]:
    today = today or timezone.localdate()
    return list(
        Movement.objects.filter(status=Movement.Status.PENDING, effective_date__lte=today)
        .order_by("effective_date", "id")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def curator_handover(
    *,
    actor,
    outgoing: Membership,
    incoming: Membership,
    order_number: str,
    order_date: datetime.date,
    effective_date: datetime.date | None = None,
) -> list[Movement]:
    """The incoming teacher becomes curator of every group the outgoing one curates, in one step."""
    if not can_manage_movements(actor, outgoing.college):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    if incoming.college_id != outgoing.college_id or incoming.role != Role.TEACHER or not incoming.is_active:
        raise ValidationError({"incoming": NOT_A_TEACHER_MESSAGE})
    if incoming.pk == outgoing.pk:
        raise ValidationError({"incoming": "Выберите другого преподавателя."})
    effective_date = effective_date or timezone.localdate()
    groups = list(
        StudyGroup.objects.filter(
            curator_assignments__teacher=outgoing, curator_assignments__ended_at__isnull=True
        ).order_by("pk")
    )
    if not groups:
        raise ValidationError("У преподавателя нет групп, в которых он куратор.", code="no_groups")
    return [
        movement_create(
            actor=actor,
            college=outgoing.college,
            kind=MovementKind.CURATOR_ASSIGN,
            person=incoming,
            to_group=group,
            order_number=order_number,
            order_date=order_date,
            effective_date=effective_date,
            reason=f"Передача группы от {outgoing.user.short_name}",
        )
        for group in groups
    ]


# --- Roster import -------------------------------------------------------------------------------------------------

IMPORT_HAS_ERRORS_MESSAGE = "В файле есть строки с ошибками. Исправьте их и загрузите файл снова — ничего не изменено."
IMPORT_NOT_PREVIEWED_MESSAGE = "Этот файл уже применён, применяется или ещё не проверен."
IMPORT_THRESHOLD_MESSAGE = (
    "Из колледжа выбудет {count} обучающихся — больше 10% контингента. Подтвердите отчисление отдельной отметкой."
)
IMPORT_ROSTER_CHANGED_MESSAGE = (
    "После проверки файла изменился состав обучающихся колледжа. Проверка обновлена: посмотрите список "
    "«Нет в файле» и примените снова."
)
IMPORT_NOT_APPLIED_MESSAGE = "Отменить можно только применённый импорт."
IMPORT_NOT_STUCK_MESSAGE = "Пакет не завис: он уже применён или ещё применяется. Обновите страницу."
THRESHOLD_SHARE = 0.10
CHUNK_SIZE = 2000


def _file_sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def import_upload(
    *,
    actor,
    college: College,
    name: str,
    data: bytes,
    order_number: str,
    order_date: datetime.date,
    effective_date: datetime.date,
    check_permission: bool = True,
):
    """Read a roster file and store its rows. Columns recognised by name are previewed at once."""
    from movement.importers import auto_mapping, missing_required, read_table
    from movement.models import ImportBatch

    if check_permission and not can_manage_movements(actor, college):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    table = read_table(name=name, data=data)
    batch = ImportBatch.objects.create(
        college=college,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        file_name=name[:255],
        file_sha256=_file_sha256(data),
        encoding=table["encoding"],
        delimiter=table["delimiter"],
        headers=table["headers"],
        raw_rows=table["rows"],
        order_number=order_number,
        order_date=order_date,
        effective_date=effective_date,
        status=ImportBatch.Status.NEEDS_MAPPING,
    )
    audit_log(
        actor=actor,
        college=college,
        action="roster_import.upload",
        target=batch,
        after={"file": batch.file_name, "rows": len(table["rows"])},
    )
    mapping = auto_mapping(table["headers"])
    if not missing_required(mapping):
        import_preview(batch=batch, mapping=mapping)
    return batch


def import_set_mapping(*, actor, batch, mapping: dict[str, int]):
    """The column-mapping step, for files whose headers were not recognised."""
    from movement.importers import MISSING_COLUMNS_MESSAGE, missing_required
    from movement.models import ImportBatch

    if not can_manage_movements(actor, batch.college):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    if batch.status not in (ImportBatch.Status.NEEDS_MAPPING, ImportBatch.Status.PREVIEWED):
        raise ValidationError(IMPORT_NOT_PREVIEWED_MESSAGE, code="not_previewed")
    missing = missing_required(mapping)
    if missing:
        raise ValidationError(MISSING_COLUMNS_MESSAGE.format(columns=", ".join(missing)), code="missing_columns")
    with transaction.atomic():
        return import_preview(batch=batch, mapping=mapping)


def import_preview(*, batch, mapping: dict[str, int]):
    """The dry run: classify every row against the college, store the diff. Writes nothing to the roster.

    Rows are classified as plain dicts and stored with one bulk INSERT (on PostgreSQL and SQLite alike).
    """
    from accounts.models import User
    from movement.importers import BAD_CHARACTER, FIELDS, REQUIRED, clean_phone, parse_date
    from movement.models import ImportBatch, RosterRow

    # What a row keeps of each field; a longer value is an error of the row, never cut silently.
    limits = {
        field: RosterRow._meta.get_field(column).max_length
        for field, column in (
            ("last_name", "last_name"),
            ("first_name", "first_name"),
            ("patronymic", "patronymic"),
            ("phone", "phone"),
            ("group", "group_name"),
        )
    }
    college = batch.college
    groups = {g.name.strip().casefold(): g.pk for g in StudyGroup.objects.filter(college=college)}
    rows: list[dict] = []
    first_line_of_phone: dict[str, int] = {}
    indexes = {field: mapping.get(field) for field in FIELDS}
    for offset, raw in enumerate(batch.raw_rows):
        line_no = offset + 2
        values = {
            field: (raw[index].strip() if index is not None and index < len(raw) and raw[index] else "")
            for field, index in indexes.items()
        }
        row = {
            "line_no": line_no,
            "last_name": values["last_name"][:100],
            "first_name": values["first_name"][:100],
            "patronymic": values["patronymic"][:100],
            "phone": values["phone"][:32],
            "group_name": values["group"][:50],
            "birth_date": None,
            "group": None,
            "current_group": None,
            "membership": None,
            "action": RosterRow.Action.NEW,
            "error": "",
        }
        errors = [f"Не заполнено поле «{FIELDS[f]}»." for f in REQUIRED if not values[f]]
        for field, limit in limits.items():
            if BAD_CHARACTER in values[field]:
                errors.append(f"В поле «{FIELDS[field]}» есть перенос строки или непечатаемый символ.")
            elif len(values[field]) > limit:
                errors.append(f"Поле «{FIELDS[field]}» длиннее {limit} символов.")
        if row["phone"]:
            try:
                row["phone"] = clean_phone(row["phone"])
            except ValidationError as exc:
                errors.append(f"{exc.messages[0]} (указано «{row['phone']}»)")
            else:
                if row["phone"] in first_line_of_phone:
                    errors.append(
                        f"Телефон {row['phone']} повторяется: уже был в строке {first_line_of_phone[row['phone']]}."
                    )
                else:
                    first_line_of_phone[row["phone"]] = line_no
        if row["group_name"]:
            row["group"] = groups.get(row["group_name"].casefold())
            if row["group"] is None:
                errors.append(f"Группа «{row['group_name']}» не найдена в колледже.")
        if values["birth_date"]:
            try:
                row["birth_date"] = parse_date(values["birth_date"])
            except ValueError:
                errors.append(f"Неверная дата рождения «{values['birth_date']}»: нужна дата в формате дд.мм.гггг.")
        if errors:
            row["action"] = RosterRow.Action.ERROR
            row["error"] = " ".join(errors)[:500]
        rows.append(row)

    phones = list(first_line_of_phone)
    user_by_phone = dict(User.objects.filter(phone__in=phones).values_list("phone", "id"))
    membership_by_user = dict(
        Membership.objects.filter(
            college=college, role=Role.STUDENT, status=Membership.Status.ACTIVE, user_id__in=user_by_phone.values()
        ).values_list("user_id", "id")
    )
    active = dict(
        Enrollment.objects.filter(college=college, ended_at__isnull=True).values_list("student_id", "group_id")
    )
    for row in rows:
        if row["action"] == RosterRow.Action.ERROR:
            continue
        membership_id = membership_by_user.get(user_by_phone.get(row["phone"]))
        if membership_id is None:
            continue
        row["membership"] = membership_id
        enrollment = active.get(membership_id)
        if enrollment is None:
            row["action"] = RosterRow.Action.ENROL
        else:
            row["current_group"] = enrollment
            same = enrollment == row["group"]
            row["action"] = RosterRow.Action.UNCHANGED if same else RosterRow.Action.TRANSFER
    batch.rows.all().delete()
    RosterRow.objects.bulk_create(
        [
            RosterRow(
                batch=batch,
                line_no=r["line_no"],
                last_name=r["last_name"],
                first_name=r["first_name"],
                patronymic=r["patronymic"],
                phone=r["phone"],
                group_name=r["group_name"],
                birth_date=r["birth_date"],
                group_id=r["group"],
                current_group_id=r["current_group"],
                membership_id=r["membership"],
                action=r["action"],
                error=r["error"],
            )
            for r in rows
        ]
    )
    counts = {action: 0 for action in RosterRow.Action.values}
    for row in rows:
        counts[row["action"]] += 1
    # The students not in the file are counted, not stored: the pages read them from the roster, and
    # applying with expulsions stores them then, if they are still the ones counted here.
    missing = _missing_students(batch, names=False)
    counts[RosterRow.Action.MISSING] = len(missing)
    counts["missing_check"] = _missing_check(missing)
    counts["active_students"] = len(active)
    counts["threshold_exceeded"] = counts[RosterRow.Action.MISSING] > THRESHOLD_SHARE * max(len(active), 1)
    batch.mapping = mapping
    batch.summary = counts
    batch.status = ImportBatch.Status.PREVIEWED
    batch.save(update_fields=["mapping", "summary", "status"])
    return batch


def _missing_students(batch, *, names: bool = True) -> list[tuple]:
    """(membership, current group[, phone, last, first and middle name]) of each student not in the file."""
    from movement.selectors import import_missing_enrollments

    fields = ["student_id", "group_id"]
    if names:
        fields += ["student__user__phone", "student__user__last_name", "student__user__first_name"]
        fields += ["student__user__patronymic"]
    return list(import_missing_enrollments(batch=batch).values_list(*fields))


def _missing_check(missing: list[tuple]) -> str:
    """A fingerprint of who is missing and from which group, to tell whether the roster moved since the dry run."""
    import hashlib

    return hashlib.sha256(",".join(f"{m[0]}:{m[1]}" for m in sorted(missing)).encode()).hexdigest()


def _rows_to_apply(batch):
    from movement.models import RosterRow

    actions = [RosterRow.Action.NEW, RosterRow.Action.ENROL, RosterRow.Action.TRANSFER]
    if batch.include_expulsions:
        actions.append(RosterRow.Action.MISSING)
    return batch.rows.filter(action__in=actions)


def import_apply_start(*, actor, batch, include_expulsions: bool = False, confirm_threshold: bool = False):
    """Check the dry run and hand the batch to the worker. Nothing is written when the file has errors.

    With expulsions, the students not in the file are stored as rows now, and only if they are the ones the
    dry run showed; otherwise the dry run is refreshed and the person is asked to look again.
    """
    with transaction.atomic():
        batch, refreshed = _import_apply_start(
            actor=actor, batch=batch, include_expulsions=include_expulsions, confirm_threshold=confirm_threshold
        )
    if refreshed:
        raise ValidationError(IMPORT_ROSTER_CHANGED_MESSAGE, code="roster_changed")
    return batch


def _import_apply_start(*, actor, batch, include_expulsions: bool, confirm_threshold: bool):
    from movement.models import ImportBatch, RosterRow

    if not can_manage_movements(actor, batch.college):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.PREVIEWED:
        raise ValidationError(IMPORT_NOT_PREVIEWED_MESSAGE, code="not_previewed")
    if batch.summary.get("error"):
        raise ValidationError(IMPORT_HAS_ERRORS_MESSAGE, code="has_errors")
    if include_expulsions:
        batch.rows.filter(action=RosterRow.Action.MISSING).delete()
        missing = _missing_students(batch)
        if _missing_check(missing) != batch.summary.get("missing_check"):
            import_preview(batch=batch, mapping=batch.mapping)
            return batch, True
        if batch.summary.get("threshold_exceeded") and not confirm_threshold:
            raise ValidationError(
                IMPORT_THRESHOLD_MESSAGE.format(count=batch.summary.get("missing", 0)), code="threshold"
            )
        RosterRow.objects.bulk_create(
            RosterRow(
                batch=batch,
                phone=phone or "",
                last_name=last_name,
                first_name=first_name,
                patronymic=patronymic,
                current_group_id=group_id,
                membership_id=student_id,
                action=RosterRow.Action.MISSING,
            )
            for student_id, group_id, phone, last_name, first_name, patronymic in missing
        )
    batch.include_expulsions = include_expulsions
    batch.threshold_confirmed = confirm_threshold
    batch.status = ImportBatch.Status.APPLYING
    batch.queued_at = timezone.now()
    batch.total = _rows_to_apply(batch).count()
    batch.processed = 0
    batch.save(update_fields=["include_expulsions", "threshold_confirmed", "status", "queued_at", "total", "processed"])
    audit_log(
        actor=actor,
        college=batch.college,
        action="roster_import.apply",
        target=batch,
        after={"rows": batch.total, "expulsions": include_expulsions},
    )
    transaction.on_commit(partial(_queue_import, batch.pk))
    return batch, False


def _queue_import(batch_id: int) -> None:
    from movement.tasks import process_import_batch

    process_import_batch.delay(batch_id)


def import_process(*, batch_id: int) -> None:
    """Apply a batch chunk by chunk. Each chunk commits with its rows marked applied, so a retry resumes."""
    from movement.models import ImportBatch

    while True:
        with transaction.atomic():
            batch = (
                ImportBatch.objects.select_for_update(of=("self",))
                .select_related("college", "created_by")
                .defer("raw_rows", "headers")
                .get(pk=batch_id)
            )
            if batch.status != ImportBatch.Status.APPLYING:
                return
            chunk = list(_rows_to_apply(batch).filter(applied=False).order_by("id")[:CHUNK_SIZE])
            if not chunk:
                batch.status = ImportBatch.Status.APPLIED
                batch.applied_at = timezone.now()
                batch.processed = batch.total
                batch.save(update_fields=["status", "applied_at", "processed"])
                return
            _apply_chunk(batch, chunk)
            batch.processed = min(batch.total, batch.processed + len(chunk))
            batch.save(update_fields=["processed"])
            # The bulk services drop the cache for what they write; the movements written here show too.
            college_cache.changed_on_commit([batch.college_id])


def _apply_chunk(batch, rows) -> None:
    """Up to CHUNK_SIZE rows at once through the owning apps' bulk services, then one Movement per change.

    Accounts, memberships and enrollments are written by ``accounts``, ``colleges`` and ``groups``
    (each audited as its single service is); this app writes only its movements and roster rows.
    """
    from movement.models import RosterRow

    college = batch.college
    actor = batch.created_by
    on = batch.effective_date or timezone.localdate()
    now = timezone.now()
    incoming = [r for r in rows if r.action != RosterRow.Action.MISSING]
    missing = [r for r in rows if r.action == RosterRow.Action.MISSING]

    # People new to the college: users by phone (created when unknown), then student memberships.
    need_membership = [r for r in incoming if r.membership_id is None]
    if need_membership:
        users = users_get_or_create_many(
            people=[
                PersonByPhone(phone=r.phone, last_name=r.last_name, first_name=r.first_name, patronymic=r.patronymic)
                for r in need_membership
            ]
        )
        members = memberships_add_many_unchecked(
            actor=actor,
            college=college,
            role=Role.STUDENT,
            user_ids=[users[r.phone] for r in need_membership],
            order_number=batch.order_number,
            order_date=batch.order_date,
        )
        for r in need_membership:
            r.membership_id = members[users[r.phone]]

    # Lock the people in a fixed order, as single movements do, then read their current group.
    ids = sorted({r.membership_id for r in rows})
    list(Membership.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    current = {
        student_id: (pk, group_id)
        for pk, student_id, group_id in Enrollment.objects.filter(
            student_id__in=ids, ended_at__isnull=True
        ).values_list("pk", "student_id", "group_id")
    }
    transferring: list[int] = []
    expelled: list[int] = []
    starts: list[EnrollmentStart] = []
    leaving: list[int] = []
    movements: list[Movement] = []
    movement = partial(
        Movement,
        college_id=college.pk,
        order_number=batch.order_number or "импорт",
        order_date=batch.order_date or on,
        effective_date=on,
        status=Movement.Status.APPLIED,
        applied_at=now,
        batch_id=batch.pk,
        entered_by_id=batch.created_by_id,
    )
    for r in incoming:
        enrollment = current.get(r.membership_id)
        if enrollment is not None and enrollment[1] == r.group_id:
            continue  # already there: re-importing the same file changes nothing
        kind = MovementKind.TRANSFER if enrollment is not None else MovementKind.ENROL
        old_group_id = enrollment[1] if enrollment else None
        if enrollment is not None:
            transferring.append(enrollment[0])
        starts.append(
            EnrollmentStart(
                student_id=r.membership_id,
                group_id=r.group_id,
                kind=EnrollmentChange(kind),
                old_group_id=old_group_id,
            )
        )
        movements.append(
            movement(
                kind=kind,
                person_id=r.membership_id,
                from_group_id=old_group_id,
                to_group_id=r.group_id,
                reason="Импорт контингента",
            )
        )
    reason = ExpelReason.NOT_IN_ROSTER.label
    for r in missing:
        enrollment = current.get(r.membership_id)
        if enrollment is None:
            continue
        expelled.append(enrollment[0])
        leaving.append(r.membership_id)
        movements.append(
            movement(
                kind=MovementKind.EXPEL,
                person_id=r.membership_id,
                from_group_id=enrollment[1],
                to_group_id=None,
                reason=reason,
            )
        )
    # Old groups end before new ones start: one active enrollment per student, at every moment.
    # The groups services send enrollment_changed on commit, one per student (a transfer by its new start).
    if transferring:
        enrollments_end_many(
            actor=actor, college=college, enrollment_ids=transferring, ended_at=on, kind=EnrollmentChange.TRANSFER
        )
    if expelled:
        enrollments_end_many(
            actor=actor, college=college, enrollment_ids=expelled, ended_at=on, kind=EnrollmentChange.EXPEL
        )
    memberships_end_many_unchecked(actor=actor, college=college, membership_ids=leaving)
    enrollments_start_many(actor=actor, college=college, starts=starts, started_at=on)
    Movement.objects.bulk_create(movements)
    RosterRow.objects.filter(pk__in=[r.pk for r in rows]).update(applied=True)


@transaction.atomic
def import_rollback(*, actor, batch):
    """Undo an applied batch by compensating movements (never by editing the past), applied by the worker."""
    from movement.models import ImportBatch

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
    compensations = []
    for m in batch.movements.filter(status=Movement.Status.APPLIED).order_by("-id"):
        common = {
            "college_id": m.college_id,
            "person_id": m.person_id,
            "order_number": m.order_number,
            "order_date": today,
            "effective_date": max(today, m.effective_date),
            "entered_by": actor,
            "caused_by": m,
            "batch": rollback,
            "reason": "Отмена импорта контингента",
        }
        if m.kind == MovementKind.ENROL:
            compensations.append(
                Movement(kind=MovementKind.EXPEL, **{**common, "reason": ExpelReason.CORRECTION.label})
            )
        elif m.kind == MovementKind.TRANSFER:
            compensations.append(
                Movement(kind=MovementKind.TRANSFER, from_group_id=m.to_group_id, to_group_id=m.from_group_id, **common)
            )
        elif m.kind == MovementKind.EXPEL:
            compensations.append(Movement(kind=MovementKind.REINSTATE, to_group_id=m.from_group_id, **common))
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
    transaction.on_commit(partial(_queue_rollback, rollback.pk))
    return rollback


def _queue_rollback(batch_id: int) -> None:
    from movement.tasks import process_rollback_batch

    process_rollback_batch.delay(batch_id)


def rollback_process(*, batch_id: int) -> None:
    """Apply the compensating movements of a rollback batch one by one (each exactly once)."""
    from movement.models import ImportBatch

    batch = ImportBatch.objects.get(pk=batch_id)
    for movement_id in (
        batch.movements.filter(status=Movement.Status.PENDING).order_by("id").values_list("pk", flat=True)
    ):
        movement_apply(movement_id=movement_id)
        ImportBatch.objects.filter(pk=batch_id).update(processed=models.F("processed") + 1)
    ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.APPLYING).update(
        status=ImportBatch.Status.APPLIED, applied_at=timezone.now(), processed=models.F("total")
    )


# --- Year roll-over -----------------------------------------------------------------------------------------------

FINAL_COURSE = 4
MAX_COURSE = 6
ROLLOVER_FUTURE_MESSAGE = (
    "Переход оформляется в день вступления в силу или позже: укажите сегодняшнюю или прошедшую дату."
)


def rollover_plan(*, college: College, graduating_ids: set[int] | None = None) -> list[dict]:
    """Each active group and what the roll-over does to it: up one course, or graduate (final course by default)."""
    from django.db.models import Count, Q

    groups = (
        StudyGroup.objects.filter(college=college, status=StudyGroup.Status.ACTIVE)
        .annotate(students=Count("enrollments", filter=Q(enrollments__ended_at__isnull=True)))
        .order_by("course", "name")
    )
    plan = []
    for group in groups:
        graduate = (group.course >= FINAL_COURSE) if graduating_ids is None else group.pk in graduating_ids
        if not graduate and group.course >= MAX_COURSE:
            graduate = True
        plan.append(
            {
                "group": group,
                "students": group.students,
                "graduate": graduate,
                "new_course": None if graduate else group.course + 1,
            }
        )
    return plan


@transaction.atomic
def rollover_start(
    *,
    actor,
    college: College,
    order_number: str,
    order_date: datetime.date,
    effective_date: datetime.date,
    graduating_ids: set[int],
):
    """One reviewed batch: a graduation order per student of the final groups, the others move up a course."""
    from movement.models import ImportBatch

    if not can_manage_movements(actor, college):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    if effective_date > timezone.localdate():
        raise ValidationError({"effective_date": ROLLOVER_FUTURE_MESSAGE})
    if not order_number.strip():
        raise ValidationError({"order_number": "Укажите номер приказа."})
    plan = rollover_plan(college=college, graduating_ids=graduating_ids)
    if not plan:
        raise ValidationError("В колледже нет обучающихся групп.", code="no_groups")
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
    enrollments = Enrollment.objects.filter(group_id__in=final, ended_at__isnull=True).order_by("pk")
    Movement.objects.bulk_create(
        [
            Movement(
                college=college,
                kind=MovementKind.GRADUATE,
                person_id=e.student_id,
                from_group_id=e.group_id,
                order_number=batch.order_number,
                order_date=order_date,
                effective_date=effective_date,
                reason="Окончание обучения",
                entered_by=actor,
                batch=batch,
            )
            for e in enrollments
        ]
    )
    batch.total = batch.movements.count() + len(plan)
    batch.save(update_fields=["total"])
    audit_log(
        actor=actor,
        college=college,
        action="rollover.start",
        target=batch,
        after={"up": len(up), "graduate": len(final)},
    )
    transaction.on_commit(partial(_queue_rollover, batch.pk))
    return batch


def _queue_rollover(batch_id: int) -> None:
    from movement.tasks import process_rollover_batch

    process_rollover_batch.delay(batch_id)


def _stuck_before() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.STUCK_WORK_MINUTES)


def import_is_stuck(batch) -> bool:
    """A batch still «применяется» longer than ``STUCK_WORK_MINUTES`` after it was queued: its worker was lost."""
    from movement.models import ImportBatch

    queued_at = batch.queued_at or batch.created_at
    return batch.status == ImportBatch.Status.APPLYING and queued_at < _stuck_before()


def _import_requeue_claim(batch_id: int) -> bool:
    """Claim a stuck batch by moving its ``queued_at`` on: of two sweeps (or a sweep and a click) one queues it."""
    from movement.models import ImportBatch

    before = _stuck_before()
    return bool(
        ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.APPLYING)
        .filter(Q(queued_at__lt=before) | Q(queued_at__isnull=True, created_at__lt=before))
        .update(queued_at=timezone.now())
    )


_QUEUE_BY_KIND = {"roster": _queue_import, "rollback": _queue_rollback, "rollover": _queue_rollover}


def import_requeue_stuck() -> int:
    """Beat: hand every stuck import, rollback and roll-over batch to the worker again; returns how many.

    Processing is idempotent (rows and movements are claimed one by one), so a batch whose worker is merely
    slow and is queued a second time loses nothing and applies nothing twice.
    """
    from movement.models import ImportBatch

    before = _stuck_before()
    stuck = (
        ImportBatch.objects.filter(status=ImportBatch.Status.APPLYING)
        .filter(Q(queued_at__lt=before) | Q(queued_at__isnull=True, created_at__lt=before))
        .select_related("college")
        .only("pk", "kind", "file_name", "college")
        .order_by("pk")[:500]
    )
    queued = 0
    for batch in stuck:
        with transaction.atomic():
            if not _import_requeue_claim(batch.pk):
                continue
            audit_log(actor=None, college=batch.college, action="roster_import.requeue", target=batch)
            transaction.on_commit(partial(_QUEUE_BY_KIND[batch.kind], batch.pk))
        queued += 1
    return queued


@transaction.atomic
def import_requeue(*, actor, batch):
    """«Повторить»: the administrator hands a stuck batch to the worker again."""
    if not can_manage_movements(actor, batch.college):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    if not import_is_stuck(batch) or not _import_requeue_claim(batch.pk):
        raise ValidationError(IMPORT_NOT_STUCK_MESSAGE, code="not_stuck")
    audit_log(actor=actor, college=batch.college, action="roster_import.requeue", target=batch)
    transaction.on_commit(partial(_QUEUE_BY_KIND[batch.kind], batch.pk))
    batch.refresh_from_db()
    return batch


def rollover_process(*, batch_id: int) -> None:
    """Graduate the students (each order exactly once), then change each group once (recorded in the batch)."""
    from groups.services import study_group_update
    from movement.models import ImportBatch

    batch = ImportBatch.objects.get(pk=batch_id)
    for movement_id in (
        batch.movements.filter(status=Movement.Status.PENDING).order_by("id").values_list("pk", flat=True)
    ):
        movement_apply(movement_id=movement_id)
        ImportBatch.objects.filter(pk=batch_id).update(processed=models.F("processed") + 1)
    for group_id in batch.summary["up"] + batch.summary["graduate"]:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch_id)
            if group_id in locked.summary["done_groups"]:
                continue
            group = StudyGroup.objects.get(pk=group_id)
            if group_id in locked.summary["up"]:
                study_group_update(actor=locked.created_by, group=group, course=min(group.course + 1, MAX_COURSE))
            else:
                study_group_update(actor=locked.created_by, group=group, status=StudyGroup.Status.GRADUATED)
            locked.summary["done_groups"].append(group_id)
            locked.processed = min(locked.total, locked.processed + 1)
            locked.save(update_fields=["summary", "processed"])
    ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.APPLYING).update(
        status=ImportBatch.Status.APPLIED, applied_at=timezone.now(), processed=models.F("total")
    )
