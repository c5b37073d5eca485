"""People in a college: memberships given and ended (one and many)."""

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import User
from audit.services import audit_log, audit_log_many
from colleges.models import STAFF_ROLES, College, Membership, Role
from colleges.signals import staff_changed_on_commit
from colleges.sockets import access_changed_on_commit
from core.bulk import instance_maker

MEMBERSHIP_EXISTS_MESSAGE = "У этого человека уже есть такая роль в колледже."


def membership_create(
    *,
    actor: User,
    college: College,
    user: User,
    role: str,
    position: str = "",
) -> Membership:
    """``membership_create_unchecked`` for a person acting from a page or the API: checked here."""
    from colleges.permissions import can_manage_college

    if not can_manage_college(actor, college):
        raise PermissionDenied("Добавлять участников может только администратор платформы колледжа.")
    return membership_create_unchecked(actor=actor, college=college, user=user, role=role, position=position)


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
        # Copied from the user already loaded: the membership stays one INSERT (see Membership.search_text).
        search_text=user.search_text,
        sort_name=user.sort_name,
    )
    # ``user`` and ``college`` are saved instances: validating them would only look them up again.
    membership.full_clean(exclude=["user", "college"], validate_constraints=False)
    # The partial unique constraint ``one_current_membership_per_role`` decides, also under races: a
    # current membership with this role already there rolls back the whole transaction, the caller's
    # too (no savepoint of its own: two statements fewer on the busiest path, accepting an invitation).
    # A caller that goes on after the ValidationError opens its own savepoint, as movement does.
    try:
        with transaction.atomic(savepoint=False):
            membership.save()
            audit_log(
                actor=actor,
                college=college,
                action="membership.create",
                target=membership,
                after={"user": user.pk, "role": role, "position": position},
            )
            if role in STAFF_ROLES:
                staff_changed_on_commit(college_id=college.pk, membership_ids=[membership.pk])
    except IntegrityError as exc:
        membership.pk = None
        raise ValidationError(MEMBERSHIP_EXISTS_MESSAGE, code="membership_exists") from exc
    return membership


def membership_end(*, actor: User, membership: Membership) -> Membership:
    """``membership_end_unchecked`` for a person acting from a page or the API: checked here."""
    from colleges.permissions import can_manage_college

    if not can_manage_college(actor, membership.college):
        raise PermissionDenied("Исключать участников может только администратор платформы колледжа.")
    return membership_end_unchecked(actor=actor, membership=membership)


def membership_end_unchecked(*, actor: User | None, membership: Membership) -> Membership:
    """The person leaves this role in the college. The row stays for history; their open sockets are asked to
    check their right once this commits (``access.changed``), so a chat stops reaching them at once."""
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
        access_changed_on_commit(user_ids=[locked.user_id])
        if locked.role in STAFF_ROLES:
            staff_changed_on_commit(college_id=locked.college_id, membership_ids=[locked.pk])
    return locked


def memberships_add_many(
    *,
    actor: User,
    college: College,
    role: str,
    user_ids: Sequence[int],
    order_number: str = "",
) -> dict[int, int]:
    """``memberships_add_many_unchecked`` for a person acting from a page or the API: checked here."""
    from colleges.permissions import can_manage_college

    if not can_manage_college(actor, college):
        raise PermissionDenied("Добавлять участников может только администратор платформы колледжа.")
    return memberships_add_many_unchecked(
        actor=actor, college=college, role=role, user_ids=user_ids, order_number=order_number
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
    # The users with their current membership, if any, in one statement: the new memberships copy the
    # users' search text and sort key (see Membership.search_text).
    users = {
        pk: (member_id, search_text, sort_name)
        for pk, search_text, sort_name, member_id in User.objects.filter(pk__in=user_ids)
        .annotate(member_id=Subquery(current.filter(user_id=OuterRef("pk")).values("id")[:1]))
        .values_list("pk", "search_text", "sort_name", "member_id")
    }
    unknown = sorted(set(user_ids) - set(users))
    if unknown:
        raise ValidationError(f"Нет пользователей с id {unknown}.", code="unknown_user")
    found = {pk: member_id for pk, (member_id, _, _) in users.items() if member_id is not None}
    new = [user_id for user_id in dict.fromkeys(user_ids) if user_id not in found]
    if not new:
        return found
    make = instance_maker(
        Membership, college_id=college.pk, role=role, order_number=order_number, order_date=order_date
    )
    members = [make(user_id=pk, search_text=users[pk][1], sort_name=users[pk][2]) for pk in new]
    before = set(found.values())
    try:
        with transaction.atomic():
            Membership.objects.bulk_create(members)  # PostgreSQL and SQLite ≥ 3.35 return the new ids
    except IntegrityError:
        # One of them was given the role meanwhile: theirs is kept and its id read back below.
        Membership.objects.bulk_create(members, ignore_conflicts=True)
        members = []
    if members and all(member.pk is not None for member in members):
        found.update((member.user_id, member.pk) for member in members)
    else:
        found.update(current.filter(user_id__in=new).values_list("user_id", "id"))
    audit_log_many(
        actor=actor,
        college=college,
        action="membership.create_many",
        model=Membership,
        ids=sorted(pk for pk in found.values() if pk not in before),
        after={"role": role},
    )
    if role in STAFF_ROLES:
        staff_changed_on_commit(college_id=college.pk, membership_ids=set(found.values()) - before)
    return found


def memberships_end_many(*, actor: User, college: College, membership_ids: Sequence[int]) -> list[int]:
    """``memberships_end_many_unchecked`` for a person acting from a page or the API: checked here."""
    from colleges.permissions import can_manage_college

    if not can_manage_college(actor, college):
        raise PermissionDenied("Исключать участников может только администратор платформы колледжа.")
    return memberships_end_many_unchecked(actor=actor, college=college, membership_ids=membership_ids)


@transaction.atomic
def memberships_end_many_unchecked(*, actor: User | None, college: College, membership_ids: Sequence[int]) -> list[int]:
    """Many people leave their role in ``college`` at once (students missing from an imported roster).

    The bulk twin of ``membership_end``: rows locked in primary-key order, one UPDATE, one
    ``membership.end_many`` audit event, and ``access.changed`` to the people's open sockets on commit.
    Memberships already ended are left as they are; the ids of the ones ended here are returned.
    """
    rows = list(
        Membership.objects.select_for_update()
        .filter(college=college, pk__in=membership_ids)
        .exclude(status=Membership.Status.LEFT)
        .order_by("pk")
        .values_list("pk", "user_id", "role")
    )
    ending = [pk for pk, _, _ in rows]
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
        access_changed_on_commit(user_ids=[user_id for _, user_id, _ in rows])
        staff_changed_on_commit(
            college_id=college.pk, membership_ids=[pk for pk, _, role in rows if role in STAFF_ROLES]
        )
    return ending
