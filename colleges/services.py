"""Every write of the colleges app: one transaction each, permission checked, audited."""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.models import User
from accounts.phones import normalize_phone
from accounts.search import fold
from audit.services import audit_log, audit_log_many, model_snapshot
from colleges.files import random_order_file_name, validate_order_file
from colleges.models import HIREABLE_ROLES, STAFF_ROLES, College, CollegeApplication, Department, Membership, Role
from notifications.models import Message
from notifications.services import notification_enqueue

MEMBERSHIP_EXISTS_MESSAGE = "У этого человека уже есть такая роль в колледже."


def user_get_or_create_by_phone(
    *, phone: str, last_name: str = "", first_name: str = "", patronymic: str = "", email: str | None = None
) -> tuple[User, bool]:
    """The user with this phone, created (without a password) when new. Names fill in blanks only."""
    phone = normalize_phone(phone)
    user = User.objects.select_for_update().filter(phone=phone).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    phone=phone, last_name=last_name, first_name=first_name, patronymic=patronymic, email=email or None
                )
            return user, True
        except IntegrityError:
            # Someone created the same phone at the same moment, or the e-mail belongs to another user.
            user = User.objects.filter(phone=phone).first()
            if user is None:
                raise ValidationError({"email": "Этот e-mail уже используется другим пользователем."}) from None
    changed = []
    for field, value in (("last_name", last_name), ("first_name", first_name), ("patronymic", patronymic)):
        if value and not getattr(user, field):
            setattr(user, field, value)
            changed.append(field)
    if changed:
        user.save(update_fields=changed)
    return user, False


def membership_create(
    *,
    actor: User | None,
    college: College,
    user: User,
    role: str,
    position: str = "",
    order_number: str = "",
    order_date: datetime.date | None = None,
) -> Membership:
    """``membership_create_unchecked`` for a person acting from a page or the API: checked here."""
    from colleges.permissions import can_manage_college

    if not can_manage_college(actor, college):
        raise PermissionDenied("Добавлять участников может только администратор платформы колледжа.")
    return membership_create_unchecked(
        actor=actor,
        college=college,
        user=user,
        role=role,
        position=position,
        order_number=order_number,
        order_date=order_date,
    )


def membership_create_unchecked(
    *,
    actor: User | None,
    college: College,
    user: User,
    role: str,
    position: str = "",
    order_number: str = "",
    order_date: datetime.date | None = None,
) -> Membership:
    """Give ``user`` a role in ``college``.

    Unchecked: for callers that already decided (an approved application, an
    accepted invitation, an applied movement). A person acting from a page goes
    through ``membership_create``, which checks them first.
    """
    if role not in Role.values:
        raise ValidationError({"role": "Неизвестная роль."})
    membership = Membership(
        user=user,
        college=college,
        role=role,
        position=position,
        order_number=order_number,
        order_date=order_date,
    )
    # ``user`` and ``college`` are saved instances: validating them would only look them up again.
    membership.full_clean(exclude=["user", "college"], validate_constraints=False)
    # The partial unique constraint ``one_current_membership_per_role`` decides, also under races:
    # a current membership with this role already there rolls the block back.
    try:
        with transaction.atomic():
            membership.save()
            audit_log(
                actor=actor,
                college=college,
                action="membership.create",
                target=membership,
                after={"user": user.pk, "role": role, "position": position},
            )
    except IntegrityError as exc:
        membership.pk = None
        raise ValidationError(MEMBERSHIP_EXISTS_MESSAGE, code="membership_exists") from exc
    return membership


def membership_end(*, actor: User | None, membership: Membership) -> Membership:
    """``membership_end_unchecked`` for a person acting from a page or the API: checked here."""
    from colleges.permissions import can_manage_college

    if not can_manage_college(actor, membership.college):
        raise PermissionDenied("Исключать участников может только администратор платформы колледжа.")
    return membership_end_unchecked(actor=actor, membership=membership)


def membership_end_unchecked(*, actor: User | None, membership: Membership) -> Membership:
    """The person leaves this role in the college. The row stays for history."""
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.status == Membership.Status.LEFT:
            return locked
        before = {"status": locked.status}
        locked.status = Membership.Status.LEFT
        locked.ended_at = timezone.now()
        locked.save(update_fields=["status", "ended_at"])
        audit_log(
            actor=actor,
            college=locked.college,
            action="membership.end",
            target=locked,
            before=before,
            after={"status": locked.status},
        )
    return locked


def memberships_add_many(
    *,
    actor: User | None,
    college: College,
    role: str,
    user_ids: Sequence[int],
    order_number: str = "",
    order_date: datetime.date | None = None,
) -> dict[int, int]:
    """``memberships_add_many_unchecked`` for a person acting from a page or the API: checked here."""
    from colleges.permissions import can_manage_college

    if not can_manage_college(actor, college):
        raise PermissionDenied("Добавлять участников может только администратор платформы колледжа.")
    return memberships_add_many_unchecked(
        actor=actor, college=college, role=role, user_ids=user_ids, order_number=order_number, order_date=order_date
    )


@transaction.atomic
def memberships_add_many_unchecked(
    *,
    actor: User | None,
    college: College,
    role: str,
    user_ids: Sequence[int],
    order_number: str = "",
    order_date: datetime.date | None = None,
) -> dict[int, int]:
    """User id → id of that user's current ``role`` membership in ``college``, adding the missing ones.

    The bulk twin of ``membership_create`` (a roster import gives two thousand students their role at
    once): one INSERT and one ``membership.create_many`` audit event listing the memberships added. A
    user who already holds the role keeps the membership they have; one added by someone else at the
    same moment is skipped by the partial unique index and returned all the same.
    """
    if role not in Role.values:
        raise ValidationError({"role": "Неизвестная роль."})
    current = Membership.objects.filter(college=college, role=role).exclude(status=Membership.Status.LEFT)
    found = dict(current.filter(user_id__in=user_ids).values_list("user_id", "id"))
    new = [user_id for user_id in dict.fromkeys(user_ids) if user_id not in found]
    if not new:
        return found
    Membership.objects.bulk_create(
        [
            Membership(
                user_id=user_id, college_id=college.pk, role=role, order_number=order_number, order_date=order_date
            )
            for user_id in new
        ],
        ignore_conflicts=True,
    )
    before = set(found.values())
    found.update(current.filter(user_id__in=new).values_list("user_id", "id"))
    audit_log_many(
        actor=actor,
        college=college,
        action="membership.create_many",
        model=Membership,
        ids=sorted(pk for pk in found.values() if pk not in before),
        after={"role": role},
    )
    return found


def memberships_end_many(*, actor: User | None, college: College, membership_ids: Sequence[int]) -> list[int]:
    """``memberships_end_many_unchecked`` for a person acting from a page or the API: checked here."""
    from colleges.permissions import can_manage_college

    if not can_manage_college(actor, college):
        raise PermissionDenied("Исключать участников может только администратор платформы колледжа.")
    return memberships_end_many_unchecked(actor=actor, college=college, membership_ids=membership_ids)


@transaction.atomic
def memberships_end_many_unchecked(*, actor: User | None, college: College, membership_ids: Sequence[int]) -> list[int]:
    """Many people leave their role in ``college`` at once (students missing from an imported roster).

    The bulk twin of ``membership_end``: rows locked in primary-key order, one UPDATE, one
    ``membership.end_many`` audit event. Memberships already ended are left as they are; the ids of
    the ones ended here are returned.
    """
    ending = list(
        Membership.objects.select_for_update()
        .filter(college=college, pk__in=membership_ids)
        .exclude(status=Membership.Status.LEFT)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if ending:
        Membership.objects.filter(pk__in=ending).update(status=Membership.Status.LEFT, ended_at=timezone.now())
        audit_log_many(
            actor=actor,
            college=college,
            action="membership.end_many",
            model=Membership,
            ids=ending,
            after={"status": Membership.Status.LEFT},
        )
    return ending


# --- College applications ---------------------------------------------------

APPLICATION_FIELDS = (
    "full_name",
    "short_name",
    "inn",
    "ogrn",
    "region",
    "address",
    "time_zone",
    "email",
    "phone",
    "website",
    "admin_last_name",
    "admin_first_name",
    "admin_patronymic",
    "admin_phone",
    "admin_email",
    "order_number",
    "order_date",
)
DUPLICATE_INN_COLLEGE_MESSAGE = "Колледж с этим ИНН уже зарегистрирован на платформе."
DUPLICATE_INN_APPLICATION_MESSAGE = "Заявка организации с этим ИНН уже подана и ждёт рассмотрения."
APPLICATION_ALREADY_REVIEWED_MESSAGE = "Заявка уже рассмотрена."
REVIEW_DENIED_MESSAGE = "Рассматривать заявки могут только сотрудники платформы."
REJECTION_REASON_REQUIRED_MESSAGE = "Укажите причину отказа."


def sign_in_url() -> str:
    return settings.SITE_URL.rstrip("/") + "/accounts/login/"


def _send_after_commit(**kwargs) -> None:
    """Send one notification once the transaction commits, through the retried Celery task.

    The task calls ``notifications.services.notification_send``; the idempotency key
    makes a retried task send the message at most once.
    """
    notification_enqueue(**kwargs)


def college_application_submit(*, order_file, **data) -> CollegeApplication:
    """A college applies to join the platform. Public: no acting user.

    The order scan is checked by content and stored under a random name.
    Nothing is written when any field is wrong.
    """
    unknown = set(data) - set(APPLICATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    for key in ("admin_phone", "phone"):
        if data.get(key):
            try:
                data[key] = normalize_phone(data[key])
            except ValidationError as exc:
                errors.setdefault(key, []).extend(exc.messages)
    try:
        extension = validate_order_file(order_file)
    except ValidationError as exc:
        errors.setdefault("order_file", []).extend(exc.messages)
        extension = None
    application = CollegeApplication(**data)
    try:
        application.full_clean(exclude=["order_file", *errors], validate_constraints=False)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if "inn" not in errors and application.inn:
        if College.objects.filter(inn=application.inn).exists():
            errors["inn"] = [DUPLICATE_INN_COLLEGE_MESSAGE]
        elif CollegeApplication.objects.filter(inn=application.inn, status=CollegeApplication.Status.PENDING).exists():
            errors["inn"] = [DUPLICATE_INN_APPLICATION_MESSAGE]
    if errors:
        raise ValidationError(errors)

    order_file.name = random_order_file_name(extension)
    application.order_file = order_file
    with transaction.atomic():
        try:
            with transaction.atomic():
                application.save()
        except IntegrityError as exc:
            # Two submissions with the same INN at the same moment: the partial unique index decides.
            # The scan was already written to storage; remove it so the refused application leaves nothing.
            application.order_file.delete(save=False)
            raise ValidationError({"inn": [DUPLICATE_INN_APPLICATION_MESSAGE]}) from exc
        audit_log(
            actor=None,
            action="college_application.submit",
            target=application,
            after={"inn": application.inn, "short_name": application.short_name},
        )
    return application


def college_application_approve(*, actor: User, application_id: int) -> College:
    """Create the college, its administrator and the administrator's membership, exactly once.

    The application row is locked, so a double click or two staff members at
    once create one college: the second caller waits, then sees it approved.
    """
    from colleges.permissions import can_review_applications

    if not can_review_applications(actor):
        raise PermissionDenied(REVIEW_DENIED_MESSAGE)
    with transaction.atomic():
        application = CollegeApplication.objects.select_for_update().filter(pk=application_id).first()
        if application is None:
            raise ValidationError("Заявка не найдена.")
        if application.status != CollegeApplication.Status.PENDING:
            raise ValidationError(APPLICATION_ALREADY_REVIEWED_MESSAGE, code="already_reviewed")
        if College.objects.filter(inn=application.inn).exists():
            raise ValidationError(DUPLICATE_INN_COLLEGE_MESSAGE, code="duplicate_inn")
        college = College(
            full_name=application.full_name,
            short_name=application.short_name,
            inn=application.inn,
            ogrn=application.ogrn,
            region=application.region,
            address=application.address,
            time_zone=application.time_zone,
            email=application.email,
            phone=application.phone,
            website=application.website,
        )
        college.full_clean()
        college.save()
        email = application.admin_email or None
        if email and User.objects.filter(email__iexact=email).exclude(phone=application.admin_phone).exists():
            # The e-mail belongs to someone else: the administrator signs in by phone anyway.
            email = None
        user, _ = user_get_or_create_by_phone(
            phone=application.admin_phone,
            last_name=application.admin_last_name,
            first_name=application.admin_first_name,
            patronymic=application.admin_patronymic,
            email=email,
        )
        membership_create_unchecked(
            actor=actor,
            college=college,
            user=user,
            role=Role.ADMINISTRATOR,
            position="администратор платформы",
            order_number=application.order_number,
            order_date=application.order_date,
        )
        application.status = CollegeApplication.Status.APPROVED
        application.reviewed_by = actor
        application.reviewed_at = timezone.now()
        application.college = college
        application.save(update_fields=["status", "reviewed_by", "reviewed_at", "college"])
        audit_log(
            actor=actor,
            college=college,
            action="college_application.approve",
            target=application,
            before={"status": CollegeApplication.Status.PENDING},
            after={"status": application.status, "college": college.pk, "administrator": user.pk},
        )
        _send_after_commit(
            channel=Message.Channel.SMS,
            recipient=user.phone,
            template="application_approved",
            context={"college": college.short_name, "url": sign_in_url()},
            college=college,
            idempotency_key=f"college_application:{application.pk}:approved",
        )
    return college


def college_application_reject(*, actor: User, application_id: int, reason: str) -> CollegeApplication:
    """Refuse the application with a reason the applicant receives by e-mail and SMS."""
    from colleges.permissions import can_review_applications

    if not can_review_applications(actor):
        raise PermissionDenied(REVIEW_DENIED_MESSAGE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [REJECTION_REASON_REQUIRED_MESSAGE]})
    with transaction.atomic():
        application = CollegeApplication.objects.select_for_update().filter(pk=application_id).first()
        if application is None:
            raise ValidationError("Заявка не найдена.")
        if application.status != CollegeApplication.Status.PENDING:
            raise ValidationError(APPLICATION_ALREADY_REVIEWED_MESSAGE, code="already_reviewed")
        application.status = CollegeApplication.Status.REJECTED
        application.rejection_reason = reason
        application.reviewed_by = actor
        application.reviewed_at = timezone.now()
        application.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"])
        audit_log(
            actor=actor,
            action="college_application.reject",
            target=application,
            before={"status": CollegeApplication.Status.PENDING},
            after={"status": application.status, "reason": reason},
        )
        context = {"college": application.short_name, "reason": reason}
        _send_after_commit(
            channel=Message.Channel.SMS,
            recipient=application.admin_phone,
            template="application_rejected",
            context=context,
            idempotency_key=f"college_application:{application.pk}:rejected:sms",
        )
        for n, recipient in enumerate(dict.fromkeys(e for e in (application.email, application.admin_email) if e)):
            _send_after_commit(
                channel=Message.Channel.EMAIL,
                recipient=recipient,
                template="application_rejected",
                context=context,
                idempotency_key=f"college_application:{application.pk}:rejected:email:{n}",
            )
    return application


# --- College profile ----------------------------------------------------------

PROFILE_FIELDS = ("full_name", "short_name", "region", "address", "time_zone", "email", "phone", "website")
MANAGE_DENIED_MESSAGE = "Изменять данные колледжа может только администратор платформы колледжа."


def college_update(*, actor: User, college: College, **data) -> College:
    """The administrator edits the college profile. INN and OGRN come from the approved application."""
    from colleges.permissions import can_manage_college

    if not can_manage_college(actor, college):
        raise PermissionDenied(MANAGE_DENIED_MESSAGE)
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError({key: ["Это поле нельзя изменить."] for key in sorted(unknown)})
    with transaction.atomic():
        locked = College.objects.select_for_update().get(pk=college.pk)
        if data.get("phone"):
            try:
                data["phone"] = normalize_phone(data["phone"])
            except ValidationError as exc:
                raise ValidationError({"phone": exc.messages}) from None
        before = model_snapshot(locked, list(data))
        for key, value in data.items():
            setattr(locked, key, value)
        locked.full_clean()
        locked.save(update_fields=list(data) or None)
        audit_log(actor=actor, college=locked, action="college.update", target=locked, before=before, after=data)
    return locked


# --- Departments ------------------------------------------------------------------

DEPARTMENT_NAME_TAKEN_MESSAGE = "Отделение с таким названием в колледже уже есть."
DEPARTMENT_HAS_GROUPS_MESSAGE = (
    "Нельзя удалить отделение «{name}»: в нём есть учебные группы. "
    "Сначала перенесите их в другое отделение или удалите."
)


def _department_save(department: Department) -> None:
    department.full_clean(validate_constraints=False)
    if (
        Department.objects.filter(college=department.college, name__fold=fold(department.name))
        .exclude(pk=department.pk)
        .exists()
    ):
        raise ValidationError({"name": [DEPARTMENT_NAME_TAKEN_MESSAGE]})
    try:
        with transaction.atomic():
            department.save()
    except IntegrityError as exc:
        raise ValidationError({"name": [DEPARTMENT_NAME_TAKEN_MESSAGE]}) from exc


@transaction.atomic
def department_create(*, actor: User, college: College, name: str, head_name: str = "") -> Department:
    from colleges.permissions import can_manage_college

    if not can_manage_college(actor, college):
        raise PermissionDenied("Создавать отделения может только администратор платформы колледжа.")
    department = Department(college=college, name=(name or "").strip(), head_name=(head_name or "").strip())
    _department_save(department)
    audit_log(
        actor=actor,
        college=college,
        action="department.create",
        target=department,
        after={"name": department.name, "head_name": department.head_name},
    )
    return department


@transaction.atomic
def department_update(*, actor: User, department: Department, name: str, head_name: str = "") -> Department:
    from colleges.permissions import can_manage_college

    if not can_manage_college(actor, department.college):
        raise PermissionDenied("Изменять отделения может только администратор платформы колледжа.")
    locked = Department.objects.select_for_update().select_related("college").get(pk=department.pk)
    before = model_snapshot(locked, ["name", "head_name"])
    locked.name = (name or "").strip()
    locked.head_name = (head_name or "").strip()
    _department_save(locked)
    audit_log(
        actor=actor,
        college=locked.college,
        action="department.update",
        target=locked,
        before=before,
        after={"name": locked.name, "head_name": locked.head_name},
    )
    return locked


@transaction.atomic
def department_delete(*, actor: User, department: Department) -> None:
    """Delete an empty department. Study groups protect theirs (``StudyGroup.department`` is PROTECT)."""
    from colleges.permissions import can_manage_college

    if not can_manage_college(actor, department.college):
        raise PermissionDenied("Удалять отделения может только администратор платформы колледжа.")
    locked = Department.objects.select_for_update().select_related("college").get(pk=department.pk)
    snapshot = model_snapshot(locked, ["name", "head_name"])
    pk = locked.pk
    try:
        with transaction.atomic():
            locked.delete()
    except ProtectedError as exc:
        raise ValidationError(DEPARTMENT_HAS_GROUPS_MESSAGE.format(name=locked.name), code="protected") from exc
    locked.pk = pk
    audit_log(actor=actor, college=locked.college, action="department.delete", target=locked, before=snapshot)


# --- Staff -----------------------------------------------------------------------------

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
    user, _ = user_get_or_create_by_phone(
        phone=phone,
        last_name=last_name.strip(),
        first_name=first_name.strip(),
        patronymic=(patronymic or "").strip(),
        email=email or None,
    )
    return membership_create(actor=actor, college=college, user=user, role=role, position=(position or "").strip())


# --- Appointing the administrator ------------------------------------------------

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
    errors: dict[str, list[str]] = {}
    order_number = (order_number or "").strip()
    if not order_number:
        errors["order_number"] = ["Укажите номер приказа."]
    if not order_date:
        errors["order_date"] = ["Укажите дату приказа."]
    if membership is not None and (membership.college_id != college.pk or membership.role not in STAFF_ROLES):
        errors["membership"] = ["Выберите сотрудника этого колледжа."]
    if membership is None:
        phone = _clean_person(phone=phone, last_name=last_name, first_name=first_name, errors=errors)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        # One appointment at a time per college: the college row is the lock.
        College.objects.select_for_update().get(pk=college.pk)
        if membership is not None:
            user = membership.user
        else:
            user, _ = user_get_or_create_by_phone(
                phone=phone,
                last_name=last_name.strip(),
                first_name=first_name.strip(),
                patronymic=(patronymic or "").strip(),
            )
        current = list(
            Membership.objects.select_for_update()
            .filter(college=college, role=Role.ADMINISTRATOR)
            .exclude(status=Membership.Status.LEFT)
            .order_by("pk")
        )
        if any(m.user_id == user.pk and m.status == Membership.Status.ACTIVE for m in current):
            raise ValidationError(ALREADY_ADMINISTRATOR_MESSAGE, code="already_administrator")
        for previous in current:
            membership_end_unchecked(actor=actor, membership=previous)
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
            before={"administrators": [m.user_id for m in current]},
            after={"administrator": user.pk, "order_number": order_number, "order_date": order_date},
        )
        _send_after_commit(
            channel=Message.Channel.SMS,
            recipient=user.phone,
            template="administrator_appointed",
            context={"college": college.short_name, "url": sign_in_url()},
            college=college,
            idempotency_key=f"administrator_appoint:{appointed.pk}",
        )
    return appointed
