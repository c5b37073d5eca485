"""A college's application to join the platform: submitted by anyone, approved or rejected by platform staff."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.phones import normalize_phone
from accounts.services import user_get_or_create_with_names
from audit.services import audit_log
from colleges.files import random_order_file_name, validate_order_file
from colleges.models import College, CollegeApplication, Role
from colleges.services.memberships import membership_create_unchecked
from notifications.models import Message
from notifications.services import notification_enqueue

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
# What an approved application gives the new college.
COLLEGE_FIELDS = (
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
)


def sign_in_url() -> str:
    return settings.SITE_URL.rstrip("/") + "/accounts/login/"


def college_application_submit(
    *,
    order_file: UploadedFile,
    full_name: str,
    short_name: str,
    inn: str,
    ogrn: str,
    region: str,
    address: str,
    email: str,
    order_number: str,
    order_date: datetime.date | None,
    admin_last_name: str,
    admin_first_name: str,
    admin_phone: str,
    admin_patronymic: str = "",
    admin_email: str = "",
    time_zone: str = "Europe/Moscow",
    phone: str = "",
    website: str = "",
) -> CollegeApplication:
    """A college applies to join the platform. Public: no acting user.

    The order scan is checked by content and stored under a random name.
    Nothing is written when any field is wrong.
    """
    application = CollegeApplication(
        full_name=full_name,
        short_name=short_name,
        inn=inn,
        ogrn=ogrn,
        region=region,
        address=address,
        time_zone=time_zone,
        email=email,
        phone=phone,
        website=website,
        admin_last_name=admin_last_name,
        admin_first_name=admin_first_name,
        admin_patronymic=admin_patronymic,
        admin_phone=admin_phone,
        admin_email=admin_email,
        order_number=order_number,
        order_date=order_date,
    )
    extension = _application_check(application, order_file=order_file)
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


def _application_check(application: CollegeApplication, *, order_file: UploadedFile) -> str:
    """Normalise the phones and check every field and the scan at once; returns the scan's extension.

    One ``ValidationError`` names every wrong field.
    """
    errors: dict[str, list[str]] = {}
    for key in ("admin_phone", "phone"):
        if getattr(application, key):
            try:
                setattr(application, key, normalize_phone(getattr(application, key)))
            except ValidationError as exc:
                errors.setdefault(key, []).extend(exc.messages)
    try:
        extension = validate_order_file(order_file)
    except ValidationError as exc:
        errors.setdefault("order_file", []).extend(exc.messages)
        extension = ""
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
    return extension


def college_application_approve(*, actor: User, application_id: int) -> College:
    """Create the college, its administrator and the administrator's membership, exactly once.

    The application row is locked, so a double click or two staff members at
    once create one college: the second caller waits, then sees it approved.
    """
    from colleges.permissions import can_review_applications

    if not can_review_applications(actor):
        raise PermissionDenied(REVIEW_DENIED_MESSAGE)
    with transaction.atomic():
        application = _pending_application_locked(application_id)
        if College.objects.filter(inn=application.inn).exists():
            raise ValidationError(DUPLICATE_INN_COLLEGE_MESSAGE, code="duplicate_inn")
        college = College(**{field: getattr(application, field) for field in COLLEGE_FIELDS})
        college.full_clean()
        college.save()
        user = _application_administrator(application)
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
        # Through the retried Celery task once the transaction commits; the key sends it at most once.
        notification_enqueue(
            channel=Message.Channel.SMS,
            recipient=user.phone,
            template="application_approved",
            context={"college": college.short_name, "url": sign_in_url()},
            college=college,
            idempotency_key=f"college_application:{application.pk}:approved",
        )
    return college


def _pending_application_locked(application_id: int) -> CollegeApplication:
    application = CollegeApplication.objects.select_for_update().filter(pk=application_id).first()
    if application is None:
        raise ValidationError("Заявка не найдена.")
    if application.status != CollegeApplication.Status.PENDING:
        raise ValidationError(APPLICATION_ALREADY_REVIEWED_MESSAGE, code="already_reviewed")
    return application


def _application_administrator(application: CollegeApplication) -> User:
    """The administrator the application names: found by phone, or made."""
    email = application.admin_email or None
    if email and User.objects.filter(email__iexact=email).exclude(phone=application.admin_phone).exists():
        # The e-mail belongs to someone else: the administrator signs in by phone anyway.
        email = None
    user, _ = user_get_or_create_with_names(
        phone=application.admin_phone,
        last_name=application.admin_last_name,
        first_name=application.admin_first_name,
        patronymic=application.admin_patronymic,
        email=email,
    )
    return user


def college_application_reject(*, actor: User, application_id: int, reason: str) -> CollegeApplication:
    """Refuse the application with a reason the applicant receives by e-mail and SMS."""
    from colleges.permissions import can_review_applications

    if not can_review_applications(actor):
        raise PermissionDenied(REVIEW_DENIED_MESSAGE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [REJECTION_REASON_REQUIRED_MESSAGE]})
    with transaction.atomic():
        application = _pending_application_locked(application_id)
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
        notification_enqueue(
            channel=Message.Channel.SMS,
            recipient=application.admin_phone,
            template="application_rejected",
            context=context,
            idempotency_key=f"college_application:{application.pk}:rejected:sms",
        )
        for n, recipient in enumerate(dict.fromkeys(e for e in (application.email, application.admin_email) if e)):
            notification_enqueue(
                channel=Message.Channel.EMAIL,
                recipient=recipient,
                template="application_rejected",
                context=context,
                idempotency_key=f"college_application:{application.pk}:rejected:email:{n}",
            )
    return application
