"""The college's staff: employees added by phone and the administrator appointed by the director."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from accounts.phones import normalize_phone
from accounts.services import user_get_or_create_with_names
from audit.services import audit_log
from colleges.models import HIREABLE_ROLES, STAFF_ROLES, College, Membership, Role
from colleges.services.applications import sign_in_url
from colleges.services.memberships import (
    membership_create,
    membership_create_unchecked,
    membership_end_unchecked,
)
from notifications.models import Message
from notifications.services import notification_enqueue

HIRE_ROLE_MESSAGE = "Сотрудника можно добавить как преподавателя или как члена администрации колледжа."


def _clean_person(*, phone: str, last_name: str, first_name: str, errors: dict[str, list[str]]) -> str:
    """The phone in E.164; field errors for a bad phone or missing names go into ``errors``."""
    try:
        phone = normalize_phone(phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    if not (last_name or "").strip():
        errors["last_name"] = ["Укажите фамилию."]
    if not (first_name or "").strip():
        errors["first_name"] = ["Укажите имя."]
    return phone


@transaction.atomic
def staff_add(
    *,
    actor: User,
    college: College,
    phone: str,
    last_name: str,
    first_name: str,
    patronymic: str = "",
    role: str,
    position: str = "",
    email: str | None = None,
) -> Membership:
    """The administrator adds an employee by phone; the person signs in later with that phone."""
    from colleges.permissions import can_manage_college

    if not can_manage_college(actor, college):
        raise PermissionDenied("Добавлять сотрудников может только администратор платформы колледжа.")
    errors: dict[str, list[str]] = {}
    if role not in HIREABLE_ROLES:
        errors["role"] = [HIRE_ROLE_MESSAGE]
    phone = _clean_person(phone=phone, last_name=last_name, first_name=first_name, errors=errors)
    if errors:
        raise ValidationError(errors)
    user, _ = user_get_or_create_with_names(
        phone=phone,
        last_name=last_name.strip(),
        first_name=first_name.strip(),
        patronymic=(patronymic or "").strip(),
        email=email or None,
    )
    return membership_create(actor=actor, college=college, user=user, role=role, position=(position or "").strip())


APPOINT_DENIED_MESSAGE = "Назначать администратора платформы может только администрация колледжа (директор)."
ALREADY_ADMINISTRATOR_MESSAGE = "Этот человек уже назначен администратором платформы колледжа."


def administrator_appoint(
    *,
    actor: User,
    college: College,
    order_number: str,
    order_date: datetime.date,
    membership: Membership | None = None,
    phone: str = "",
    last_name: str = "",
    first_name: str = "",
    patronymic: str = "",
) -> Membership:
    """The director appoints the administrator by an order; the previous one leaves the role.

    The new administrator is a staff member of the college (``membership``) or
    a person given by phone and name. Ending the old and creating the new
    membership happen in one transaction, so the college never has two active
    administrators (the partial unique index would refuse it anyway).
    """
    from colleges.permissions import can_appoint_administrator

    if not can_appoint_administrator(actor, college):
        raise PermissionDenied(APPOINT_DENIED_MESSAGE)
    order_number = (order_number or "").strip()
    phone = _appointment_check(
        college=college,
        order_number=order_number,
        order_date=order_date,
        membership=membership,
        person=(phone, last_name, first_name) if membership is None else None,
    )

    with transaction.atomic():
        # One appointment at a time per college: the college row is the lock.
        College.objects.select_for_update().get(pk=college.pk)
        if membership is not None:
            user = membership.user
        else:
            user, _ = user_get_or_create_with_names(
                phone=phone,
                last_name=last_name.strip(),
                first_name=first_name.strip(),
                patronymic=(patronymic or "").strip(),
            )
        current = _administrators_end(actor=actor, college=college, keeping=user)
        appointed = membership_create_unchecked(
            actor=actor,
            college=college,
            user=user,
            role=Role.ADMINISTRATOR,
            position="администратор платформы",
            order_number=order_number,
            order_date=order_date,
        )
        audit_log(
            actor=actor,
            college=college,
            action="college.administrator_appoint",
            target=appointed,
            before={"administrators": current},
            after={"administrator": user.pk, "order_number": order_number, "order_date": order_date},
        )
        notification_enqueue(
            channel=Message.Channel.SMS,
            recipient=user.phone,
            template="administrator_appointed",
            context={"college": college.short_name, "url": sign_in_url()},
            college=college,
            idempotency_key=f"administrator_appoint:{appointed.pk}",
        )
    return appointed


def _appointment_check(
    *,
    college: College,
    order_number: str,
    order_date: datetime.date | None,
    membership: Membership | None = None,
    person: tuple[str, str, str] | None = None,
) -> str:
    """Every field error of an appointment at once; the appointee's phone in E.164 when given by ``person``.

    ``person`` is (phone, last name, first name) of someone who is not yet staff of the college.
    """
    errors: dict[str, list[str]] = {}
    if not order_number:
        errors["order_number"] = ["Укажите номер приказа."]
    if not order_date:
        errors["order_date"] = ["Укажите дату приказа."]
    if membership is not None and (membership.college_id != college.pk or membership.role not in STAFF_ROLES):
        errors["membership"] = ["Выберите сотрудника этого колледжа."]
    phone = ""
    if person is not None:
        phone, last_name, first_name = person
        phone = _clean_person(phone=phone, last_name=last_name, first_name=first_name, errors=errors)
    if errors:
        raise ValidationError(errors)
    return phone


def _administrators_end(*, actor: User, college: College, keeping: User) -> list[int]:
    """End the current administrators' memberships (locked); their user ids. Refused if ``keeping`` is one."""
    current = list(
        Membership.objects.select_for_update()
        .filter(college=college, role=Role.ADMINISTRATOR)
        .exclude(status=Membership.Status.LEFT)
        .order_by("pk")
    )
    if any(m.user_id == keeping.pk and m.status == Membership.Status.ACTIVE for m in current):
        raise ValidationError(ALREADY_ADMINISTRATOR_MESSAGE, code="already_administrator")
    for previous in current:
        membership_end_unchecked(actor=actor, membership=previous)
    return [m.user_id for m in current]
