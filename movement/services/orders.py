"""Entering and withdrawing orders: each is checked by field, recorded ``pending`` and audited.

An order due today or earlier is applied right after commit (``movement.services.apply``), a later one
on its date by beat.
"""

import datetime
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.phones import normalize_phone
from audit.services import audit_log
from colleges.models import College, Membership, Role
from groups.models import Discipline, Enrollment, StudyGroup
from movement.messages import (
    ALREADY_STUDYING_MESSAGE,
    BEFORE_ENROLLMENT_MESSAGE,
    DISCIPLINE_REQUIRED_MESSAGE,
    FIRST_NAME_REQUIRED_MESSAGE,
    GROUP_NOT_FOUND_MESSAGE,
    GROUP_REQUIRED_MESSAGE,
    HANDOVER_REASON,
    HIRE_ROLE_MESSAGE,
    LAST_NAME_REQUIRED_MESSAGE,
    NO_CURATED_GROUPS_MESSAGE,
    NOT_A_STUDENT_MESSAGE,
    NOT_A_TEACHER_MESSAGE,
    NOT_ALLOWED_MESSAGE,
    NOT_STAFF_MESSAGE,
    NOT_YET_EFFECTIVE_MESSAGE,
    ONLY_PENDING_CANCEL_MESSAGE,
    ORDER_NUMBER_REQUIRED_MESSAGE,
    PERSON_NOT_FOUND_MESSAGE,
    REASON_REQUIRED_MESSAGE,
    RETURN_DATE_MESSAGE,
    SAME_GROUP_MESSAGE,
    SAME_TEACHER_MESSAGE,
    UNKNOWN_KIND_MESSAGE,
)
from movement.models import STUDENT_KINDS, ExpelReason, Movement, MovementKind
from movement.permissions import can_manage_movements
from movement.selectors import current_enrollment, current_enrollment_by_phone
from movement.services.apply import _queue_apply, movement_apply

# Orders that name a study group (the one the person goes to, or the one of the assignment).
GROUP_KINDS = {
    MovementKind.ENROL,
    MovementKind.TRANSFER,
    MovementKind.REINSTATE,
    MovementKind.CURATOR_ASSIGN,
    MovementKind.CURATOR_UNASSIGN,
    MovementKind.SUBJECT_ASSIGN,
    MovementKind.SUBJECT_UNASSIGN,
}
TEACHER_KINDS = {
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


def movement_create(
    *,
    actor: User | None,
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
    apply_now: bool = False,
) -> Movement:
    """``movement_create_unchecked`` for a person acting from a page or the API: checked here."""
    if not can_manage_movements(actor, college):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    return movement_create_unchecked(
        actor=actor,
        college=college,
        kind=kind,
        order_number=order_number,
        order_date=order_date,
        effective_date=effective_date,
        person=person,
        to_group=to_group,
        discipline=discipline,
        reason=reason,
        planned_return_date=planned_return_date,
        phone=phone,
        last_name=last_name,
        first_name=first_name,
        patronymic=patronymic,
        role=role,
        position=position,
        apply_now=apply_now,
    )


@transaction.atomic
def movement_create_unchecked(
    *,
    actor: User | None,
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
    apply_now: bool = False,
) -> Movement:
    """Record an order for a caller that has decided the actor may (a join request approved by its decider).

    ``apply_now`` applies it inside the caller's transaction instead of after commit (a join request approved
    today moves the student at once): a failure raises ``ValidationError`` with the reason, so nothing of the
    caller is kept.
    """
    if kind not in MovementKind.values:
        raise ValidationError({"kind": UNKNOWN_KIND_MESSAGE})
    movement = Movement(
        college=college,
        kind=kind,
        person=person,
        phone=phone,
        last_name=last_name.strip(),
        first_name=first_name.strip(),
        patronymic=patronymic.strip(),
        role=role,
        position=position,
        to_group=to_group,
        discipline=discipline,
        order_number=(order_number or "").strip(),
        order_date=order_date,
        effective_date=effective_date,
        reason=reason.strip(),
        planned_return_date=planned_return_date if kind == MovementKind.ACADEMIC_LEAVE else None,
        entered_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _check_order(movement)
    if kind == MovementKind.EXPEL:
        movement.reason = expel_reason_label(movement.reason)
    movement.save(force_insert=True)
    audit_log(
        actor=actor,
        college=college,
        action="movement.create",
        target=movement,
        after={"kind": kind, "person": person.pk if person else None, "effective_date": effective_date},
    )
    return _apply_or_queue(movement, apply_now=apply_now)


def _apply_or_queue(movement: Movement, *, apply_now: bool) -> Movement:
    """Applied now (inside the caller's transaction), right after commit when due, else on its date by beat."""
    if apply_now:
        movement = movement_apply(movement_id=movement.pk)
        if movement.status != Movement.Status.APPLIED:
            raise ValidationError(movement.error or NOT_YET_EFFECTIVE_MESSAGE, code="not_applied")
    elif movement.effective_date <= timezone.localdate():
        transaction.on_commit(partial(_queue_apply, movement.pk), robust=True)
    return movement


def _check_order(movement: Movement) -> None:
    """Every reason to refuse the order now rather than fail it when applied, raised together by field.

    Fills in what the order learns on the way: the normalised phone and the role of a new person, the
    group a student leaves.
    """
    kind = movement.kind
    current = None
    if kind == MovementKind.HIRE or (kind == MovementKind.ENROL and movement.person is None):
        errors = _new_person_errors(movement)
    else:
        errors = _person_errors(movement)
        if kind in STUDENT_KINDS:
            current = current_enrollment(movement.person)
            movement.from_group = current.group if current else None
    if kind in ENDS_ENROLLMENT_KINDS and current is not None and movement.effective_date < current.started_at:
        # Applying it would end the enrollment before it began: refuse now, not fail later as «не применено».
        errors["effective_date"] = BEFORE_ENROLLMENT_MESSAGE.format(
            group=current.group, date=current.started_at.strftime("%d.%m.%Y")
        )
    errors.update(_group_errors(movement, current=current))
    if kind == MovementKind.EXPEL and not movement.reason:
        errors["reason"] = REASON_REQUIRED_MESSAGE
    if movement.planned_return_date and movement.planned_return_date <= movement.effective_date:
        errors["planned_return_date"] = RETURN_DATE_MESSAGE  # kept for an academic leave only
    if not movement.order_number:
        errors["order_number"] = ORDER_NUMBER_REQUIRED_MESSAGE
    if errors:
        raise ValidationError(errors)


def _new_person_errors(movement: Movement) -> dict[str, str]:
    """A person who may never have been here: found or created by the phone when the order is applied."""
    errors = {}
    try:
        movement.phone = normalize_phone(movement.phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages[0]
    if not movement.last_name:
        errors["last_name"] = LAST_NAME_REQUIRED_MESSAGE
    if not movement.first_name:
        errors["first_name"] = FIRST_NAME_REQUIRED_MESSAGE
    if movement.kind == MovementKind.ENROL:
        movement.role = Role.STUDENT
        if "phone" not in errors:
            enrolled = current_enrollment_by_phone(college=movement.college, phone=movement.phone)
            if enrolled is not None:
                errors["phone"] = ALREADY_STUDYING_MESSAGE.format(group=enrolled.group)
    elif movement.role not in (Role.TEACHER, Role.ADMINISTRATION):
        errors["role"] = HIRE_ROLE_MESSAGE
    return errors


def _person_errors(movement: Movement) -> dict[str, str]:
    """A member of the college, of a role the kind of order is for."""
    person = movement.person
    if person is None or person.college_id != movement.college.pk:
        raise ValidationError({"person": PERSON_NOT_FOUND_MESSAGE})
    errors = {}
    if movement.kind in STUDENT_KINDS and person.role != Role.STUDENT:
        errors["kind"] = NOT_A_STUDENT_MESSAGE
    if movement.kind not in STUDENT_KINDS and person.role not in (Role.TEACHER, Role.ADMINISTRATION):
        errors["kind"] = NOT_STAFF_MESSAGE
    if movement.kind in TEACHER_KINDS and person.role != Role.TEACHER:
        errors["kind"] = NOT_A_TEACHER_MESSAGE
    return errors


def _group_errors(movement: Movement, *, current: Enrollment | None) -> dict[str, str]:
    """The group and discipline the order names: given when the kind needs them, of this college."""
    errors = {}
    college_id, to_group, discipline = movement.college.pk, movement.to_group, movement.discipline
    if movement.kind in GROUP_KINDS and to_group is None:
        errors["to_group"] = GROUP_REQUIRED_MESSAGE
    if to_group is not None and to_group.college_id != college_id:
        errors["to_group"] = GROUP_NOT_FOUND_MESSAGE
    if movement.kind == MovementKind.TRANSFER and to_group is not None and current and current.group == to_group:
        errors["to_group"] = SAME_GROUP_MESSAGE.format(group=to_group)
    if movement.kind in (MovementKind.SUBJECT_ASSIGN, MovementKind.SUBJECT_UNASSIGN):
        if discipline is None or discipline.college_id != college_id:
            errors["discipline"] = DISCIPLINE_REQUIRED_MESSAGE
    return errors


@transaction.atomic
def movement_cancel(*, actor: User | None, movement: Movement) -> Movement:
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


@transaction.atomic
def curator_handover(
    *,
    actor: User | None,
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
        raise ValidationError({"incoming": SAME_TEACHER_MESSAGE})
    effective_date = effective_date or timezone.localdate()
    groups = list(
        StudyGroup.objects.filter(
            curator_assignments__teacher=outgoing, curator_assignments__ended_at__isnull=True
        ).order_by("pk")
    )
    if not groups:
        raise ValidationError(NO_CURATED_GROUPS_MESSAGE, code="no_groups")
    return [
        movement_create_unchecked(
            actor=actor,
            college=outgoing.college,
            kind=MovementKind.CURATOR_ASSIGN,
            person=incoming,
            to_group=group,
            order_number=order_number,
            order_date=order_date,
            effective_date=effective_date,
            reason=HANDOVER_REASON.format(name=outgoing.user.short_name),
        )
        for group in groups
    ]
