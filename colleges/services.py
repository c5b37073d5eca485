"""Every write of the colleges app: one transaction each, permission checked, audited."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.phones import normalize_phone
from audit.services import audit_log
from colleges.models import College, Membership, Role

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
    check_permission: bool = True,
) -> Membership:
    """Give ``user`` a role in ``college``.

    Callers that already decided (an approved application, an accepted
    invitation, an applied movement) pass ``check_permission=False``; a person
    acting from a page passes themselves as ``actor`` and is checked here.
    """
    from colleges.permissions import can_manage_college

    if check_permission and not can_manage_college(actor, college):
        raise PermissionDenied("Добавлять участников может только администратор платформы колледжа.")
    if role not in Role.values:
        raise ValidationError({"role": "Неизвестная роль."})
    with transaction.atomic():
        if (
            Membership.objects.filter(user=user, college=college, role=role)
            .exclude(status=Membership.Status.LEFT)
            .exists()
        ):
            raise ValidationError(MEMBERSHIP_EXISTS_MESSAGE, code="membership_exists")
        membership = Membership(
            user=user,
            college=college,
            role=role,
            position=position,
            order_number=order_number,
            order_date=order_date,
        )
        membership.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                membership.save()
        except IntegrityError as exc:
            raise ValidationError(MEMBERSHIP_EXISTS_MESSAGE, code="membership_exists") from exc
        audit_log(
            actor=actor,
            college=college,
            action="membership.create",
            target=membership,
            after={"user": user.pk, "role": role, "position": position},
        )
    return membership


def membership_end(*, actor: User | None, membership: Membership, check_permission: bool = True) -> Membership:
    """The person leaves this role in the college. The row stays for history."""
    from colleges.permissions import can_manage_college

    if check_permission and not can_manage_college(actor, membership.college):
        raise PermissionDenied("Исключать участников может только администратор платформы колледжа.")
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
