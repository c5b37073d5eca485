"""Every write of the invitations app: one transaction each, permission checked, audited.

The cap of a link (invariant 4 of DESIGN.md) is claimed by one conditional
UPDATE: PostgreSQL re-checks its WHERE on the newest row version after any
concurrent revoke or acceptance commits, so no reader ever decides on a stale
count or status.
"""

import contextlib
import datetime
import json
import weakref
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.context import current_ip
from audit.services import audit_log
from colleges.models import College, Membership, Role
from colleges.services import membership_create_unchecked
from core import college_cache
from groups.models import Enrollment, GroupParent, StudyGroup
from groups.services import enrollment_changed_on_commit, enrollment_start, group_parent_add
from groups.signals import EnrollmentChange
from invitations import conf
from invitations.models import BulkDispatch, Invitation, InvitationUse, JoinRequest
from invitations.permissions import (
    INVITABLE_ROLES,
    can_create_invitation,
    can_decide_join_request,
    can_hand_invitations,
    can_manage_invitation,
    can_send_bulk_invitations,
    can_view_invitation,
)
from invitations.tokens import token_hash, token_new, token_seal
from movement.models import MovementKind
from movement.services import movement_create_unchecked
from notifications.backends import SmsDeliveryError

ASK_WHOM = "Обратитесь к куратору группы или к администратору платформы колледжа, чтобы получить новую ссылку."
FORGED_MESSAGE = "Такой ссылки-приглашения нет. Проверьте, что ссылка скопирована целиком. " + ASK_WHOM
EXPIRED_MESSAGE = "Срок действия ссылки-приглашения истёк. " + ASK_WHOM
REVOKED_MESSAGE = "Ссылка-приглашение отозвана и больше не действует. " + ASK_WHOM
USED_UP_MESSAGE = "По этой ссылке уже присоединилось максимальное число участников. " + ASK_WHOM
PAUSED_MESSAGE = (
    "Ссылка-приглашение временно приостановлена администратором. "
    "Попробуйте позже или обратитесь к администратору платформы колледжа."
)
PARENT_LINK_IN_STUDENT_SESSION_MESSAGE = (
    "Это приглашение для родителя (законного представителя), а вы вошли как обучающийся. "
    "Передайте ссылку родителю: пусть он откроет её на своём телефоне и войдёт по своему номеру."
)
NOT_ADDRESSEE_MESSAGE = (
    "Это персональное приглашение для другого человека. Войдите с тем номером телефона или e-mail, "
    "на который пришло приглашение, или попросите своё приглашение у администратора платформы колледжа."
)
ALREADY_MEMBER_MESSAGE = "Вы уже участник колледжа с этой ролью — присоединяться ещё раз не нужно."
JOINED_MESSAGE = "Вы присоединились к колледжу."
REQUESTED_MESSAGE = "Заявка на вступление отправлена. Администратор рассмотрит её, и вы получите SMS с ответом."
TRANSFER_REQUESTED_MESSAGE = (
    "Вы уже обучаетесь в другой группе, поэтому отправлена заявка на перевод. "
    "Администратор рассмотрит её, и вы получите SMS с ответом."
)
ADMINISTRATOR_NOT_INVITED_MESSAGE = (
    "Администратора платформы назначает директор колледжа приказом — пригласить на эту роль по ссылке нельзя."
)
ALREADY_DECIDED_MESSAGE = "Заявка уже рассмотрена."
TRANSFER_BY_REQUEST_REASON = "Перевод по одобренной заявке на вступление в группу"
REASON_REQUIRED_MESSAGE = "Укажите причину отказа."

PROBLEM_MESSAGES = {
    InvitationUse.Result.EXPIRED: EXPIRED_MESSAGE,
    InvitationUse.Result.REVOKED: REVOKED_MESSAGE,
    InvitationUse.Result.USED_UP: USED_UP_MESSAGE,
    InvitationUse.Result.PAUSED: PAUSED_MESSAGE,
}


@dataclass
class AcceptResult:
    result: str
    message: str
    membership: Membership | None = None
    join_request: JoinRequest | None = None
    # Whether the person may belong to other colleges too (then the one just joined is made current).
    other_colleges: bool = True

    @property
    def joined(self) -> bool:
        return self.result == InvitationUse.Result.JOINED


class _Refused(Exception):
    pass


def invitation_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("invitations:accept", kwargs={"token": token})


def invitation_problem(invitation: Invitation, *, now: datetime.datetime | None = None) -> str | None:
    """Why the link admits no one now (a ``InvitationUse.Result``), or None. Advisory: the UPDATE decides."""
    now = now or timezone.now()
    if invitation.status == Invitation.Status.REVOKED:
        return InvitationUse.Result.REVOKED
    if invitation.expires_at <= now:
        return InvitationUse.Result.EXPIRED
    if invitation.max_uses is not None and invitation.uses_count >= invitation.max_uses:
        return InvitationUse.Result.USED_UP
    if invitation.status == Invitation.Status.PAUSED:
        return InvitationUse.Result.PAUSED
    return None


# --- Links -----------------------------------------------------------------


def invitation_target_check(*, college: College, role: str, group: StudyGroup | None) -> None:
    """Whether a link may give ``role`` (in ``group``): a ``ValidationError`` with a message per field if not."""
    if role == Role.ADMINISTRATOR:
        raise ValidationError({"role": ADMINISTRATOR_NOT_INVITED_MESSAGE})
    if role not in INVITABLE_ROLES:
        raise ValidationError({"role": "Неизвестная роль."})
    if group is not None and group.college_id != college.pk:
        raise ValidationError({"group": "Группа не из этого колледжа."})
    if role == Role.STUDENT and group is None:
        raise ValidationError({"group": "Для приглашения обучающихся выберите учебную группу."})
    if role in (Role.ADMINISTRATOR, Role.ADMINISTRATION, Role.TEACHER) and group is not None:
        raise ValidationError({"group": "Группа указывается только для обучающихся и родителей."})


def invitation_create(
    *,
    actor: User,
    college: College,
    role: str,
    group: StudyGroup | None = None,
    kind: str = Invitation.Kind.MULTI,
    max_uses: int | None = None,
    expires_at: datetime.datetime,
    requires_approval: bool = False,
    auto_approve_until: datetime.datetime | None = None,
    recipient_phone: str = "",
    recipient_email: str = "",
    recipient_name: str = "",
    handed_to: Membership | None = None,
) -> tuple[Invitation, str]:
    """Create a link; returns it with its token (the only moment the token is handed out in the clear)."""
    # What the link gives is checked first: asking for a role no link gives is bad input, whoever asks.
    invitation_target_check(college=college, role=role, group=group)
    if not can_create_invitation(actor, college, role=role, group=group):
        raise PermissionDenied("Вы не можете создавать приглашения с этой ролью или в эту группу.")
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": "Срок действия должен быть в будущем."})
    if kind == Invitation.Kind.PERSONAL:
        max_uses = 1
        if not (recipient_phone or recipient_email):
            raise ValidationError({"recipient_phone": "Укажите телефон или e-mail получателя."})
    elif max_uses is not None and max_uses < 1:
        raise ValidationError({"max_uses": "Число присоединений должно быть не меньше 1."})
    if handed_to is not None:
        _check_curator(group=group, curator=handed_to)
    token = token_new()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            college=college,
            role=role,
            group=group,
            kind=kind,
            max_uses=max_uses,
            expires_at=expires_at,
            requires_approval=requires_approval,
            auto_approve_until=auto_approve_until,
            recipient_phone=recipient_phone,
            recipient_email=recipient_email,
            recipient_name=recipient_name,
            created_by=actor,
            handed_to=handed_to,
            token_hash=token_hash(token),
            token_sealed=token_seal(token),
        )
        audit_log(
            actor=actor,
            college=college,
            action="invitation.create",
            target=invitation,
            after={"role": role, "group": group, "kind": kind, "max_uses": max_uses, "expires_at": expires_at},
        )
    return invitation, token


def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """The link stops at once: the row lock makes acceptances in flight wait and then see «revoked»."""
    if not can_manage_invitation(actor, invitation):
        raise PermissionDenied("Отозвать ссылку может администратор, администрация или тот, кто её создал.")
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.status == Invitation.Status.REVOKED:
            return locked
        before = {"status": locked.status}
        locked.status = Invitation.Status.REVOKED
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["status", "revoked_at"])
        audit_log(actor=actor, action="invitation.revoke", target=locked, before=before, after={"status": "revoked"})
    return locked


def invitation_regenerate(*, actor: User, invitation: Invitation) -> tuple[Invitation, str]:
    """A new token for the same link (its uses and provenance stay); the old token stops at once."""
    if not can_manage_invitation(actor, invitation):
        raise PermissionDenied("Менять ссылку может администратор, администрация или тот, кто её создал.")
    token = token_new()
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.status == Invitation.Status.REVOKED:
            raise ValidationError("Отозванную ссылку нельзя обновить — создайте новую.")
        locked.token_hash = token_hash(token)
        locked.token_sealed = token_seal(token)
        locked.save(update_fields=["token_hash", "token_sealed"])
        audit_log(actor=actor, action="invitation.regenerate", target=locked)
    return locked, token


def invitation_set_paused(*, actor: User | None, invitation: Invitation, paused: bool, reason: str = "") -> Invitation:
    """Pause or resume a link. ``actor=None`` is the system (burst protection)."""
    if actor is not None and not can_manage_invitation(actor, invitation):
        raise PermissionDenied("Приостанавливать ссылку может администратор, администрация или тот, кто её создал.")
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.status == Invitation.Status.REVOKED:
            raise ValidationError("Ссылка отозвана.")
        new_status = Invitation.Status.PAUSED if paused else Invitation.Status.ACTIVE
        if locked.status == new_status:
            return locked
        before = {"status": locked.status}
        locked.status = new_status
        locked.paused_reason = reason if paused else ""
        locked.save(update_fields=["status", "paused_reason"])
        audit_log(
            actor=actor,
            action="invitation.pause" if paused else "invitation.resume",
            target=locked,
            before=before,
            after={"status": new_status, "reason": reason},
        )
    return locked


def _check_curator(*, group: StudyGroup | None, curator: Membership) -> None:
    from groups.models import CuratorAssignment

    if group is None:
        raise ValidationError("Передать куратору можно только ссылку учебной группы.")
    if not CuratorAssignment.objects.filter(group=group, teacher=curator, ended_at__isnull=True).exists():
        raise ValidationError("Этот преподаватель не куратор группы.")


def invitations_hand_to_curator(*, actor: User, group: StudyGroup) -> list[Invitation]:
    """Give the group's active student links to its curator; creates one when the group has none."""
    from groups.models import CuratorAssignment

    if not can_hand_invitations(actor, group.college):
        raise PermissionDenied("Передавать ссылки кураторам может только администратор платформы колледжа.")
    assignment = CuratorAssignment.objects.filter(group=group, ended_at__isnull=True).select_related("teacher").first()
    if assignment is None:
        raise ValidationError("У группы нет куратора. Сначала назначьте куратора.")
    with transaction.atomic():
        links = list(
            Invitation.objects.select_for_update()
            .filter(group=group, role=Role.STUDENT, kind=Invitation.Kind.MULTI)
            .exclude(status=Invitation.Status.REVOKED)
            .order_by("pk")
        )
        if not links:
            invitation, _ = invitation_create(
                actor=actor,
                college=group.college,
                role=Role.STUDENT,
                group=group,
                max_uses=40,
                expires_at=timezone.now() + datetime.timedelta(days=30),
            )
            links = [invitation]
        Invitation.objects.filter(pk__in=[link.pk for link in links]).update(handed_to=assignment.teacher)
        for link in links:
            link.handed_to = assignment.teacher
        audit_log(
            actor=actor,
            college=group.college,
            action="invitation.hand_to_curator",
            target=group,
            after={"curator": assignment.teacher_id, "invitations": [link.pk for link in links]},
        )
    return links


# --- Acceptance ------------------------------------------------------------


def _plausible_token(token: str) -> bool:
    """Not empty and not absurdly long: anything else is forged without asking the database."""
    return bool(token) and len(token) <= 100


def invitation_find(*, token: str) -> Invitation | None:
    """The link a token opens, or None for a forged one. The hash lookup reveals nothing about other tokens."""
    if not _plausible_token(token):
        return None
    return (
        Invitation.objects.select_related("college", "group", "created_by").filter(token_hash=token_hash(token)).first()
    )


def _log_use(*, invitation: Invitation, user: User, result: str, membership=None, join_request=None) -> None:
    InvitationUse.objects.create(
        invitation=invitation,
        college_id=invitation.college_id,
        user=user,
        result=result,
        membership=membership,
        join_request=join_request,
    )


def _refuse(invitation: Invitation, user: User, result: str, message: str) -> AcceptResult:
    _log_use(invitation=invitation, user=user, result=result)
    return AcceptResult(result=result, message=message)


def _active_student(user: User, college: College) -> tuple[Membership | None, Enrollment | None]:
    # At most one row each (partial unique constraints): no ordering, so no join for it.
    membership = (
        Membership.objects.filter(user=user, college=college, role=Role.STUDENT)
        .exclude(status=Membership.Status.LEFT)
        .order_by()
        .first()
    )
    if membership is None:
        return None, None
    enrollment = Enrollment.objects.filter(student=membership, ended_at__isnull=True).order_by().first()
    return membership, enrollment


def _new_parent_group(invitation: Invitation, parent: Membership) -> bool:
    """A parent already in the college follows the parent link of a group they are not a parent of yet."""
    return (
        invitation.role == Role.PARENT
        and invitation.group_id is not None
        and not GroupParent.objects.filter(parent=parent, group_id=invitation.group_id).exists()
    )


def _is_addressee(invitation: Invitation, user: User) -> bool:
    if invitation.recipient_phone and invitation.recipient_phone == user.phone:
        return True
    return bool(invitation.recipient_email and user.email and invitation.recipient_email.lower() == user.email.lower())


def invitation_accept(*, invitation: Invitation, user: User) -> AcceptResult:
    """``user`` follows the link: joins (membership, and enrollment for a student) or files a join request.

    Every answer but a crash is an ``AcceptResult``; the reasons a link admits
    no one are answers, not exceptions, so hundreds of people racing for the
    last places all get a page.
    """
    now = timezone.now()
    college = invitation.college
    problem = invitation_problem(invitation, now=now)
    if problem:
        return _refuse(invitation, user, problem, PROBLEM_MESSAGES[problem])
    if invitation.is_personal and not _is_addressee(invitation, user):
        return _refuse(invitation, user, InvitationUse.Result.REFUSED, NOT_ADDRESSEE_MESSAGE)

    student, enrollment = _active_student(user, college)
    if invitation.role == Role.PARENT and student is not None and student.status == Membership.Status.ACTIVE:
        return _refuse(invitation, user, InvitationUse.Result.REFUSED, PARENT_LINK_IN_STUDENT_SESSION_MESSAGE)

    existing = None
    if invitation.role == Role.STUDENT:
        existing = student
        if enrollment is not None and enrollment.group_id == invitation.group_id:
            return AcceptResult(InvitationUse.Result.ALREADY_MEMBER, ALREADY_MEMBER_MESSAGE, membership=student)
    else:
        existing = (
            Membership.objects.filter(user=user, college=college, role=invitation.role)
            .exclude(status=Membership.Status.LEFT)
            .first()
        )
        if existing is not None and not _new_parent_group(invitation, existing):
            return AcceptResult(InvitationUse.Result.ALREADY_MEMBER, ALREADY_MEMBER_MESSAGE, membership=existing)

    pending = JoinRequest.objects.filter(
        user=user, college=college, role=invitation.role, status=JoinRequest.Status.PENDING
    ).first()
    if pending is not None:
        return AcceptResult(InvitationUse.Result.REQUESTED, REQUESTED_MESSAGE, join_request=pending)

    transfer_from = enrollment.group if enrollment is not None else None
    needs_review = (
        transfer_from is not None
        or invitation.requires_approval
        or (invitation.auto_approve_until is not None and now >= invitation.auto_approve_until)
    )
    try:
        with transaction.atomic():
            if needs_review:
                join_request = JoinRequest.objects.create(
                    college=college,
                    user=user,
                    role=invitation.role,
                    group=invitation.group,
                    from_group=transfer_from,
                    invitation=invitation,
                )
                result = AcceptResult(
                    InvitationUse.Result.REQUESTED,
                    TRANSFER_REQUESTED_MESSAGE if transfer_from else REQUESTED_MESSAGE,
                    join_request=join_request,
                )
            else:
                membership = _join(
                    actor=user,
                    user=user,
                    college=college,
                    role=invitation.role,
                    group=invitation.group,
                    existing=existing,
                )
                result = AcceptResult(InvitationUse.Result.JOINED, JOINED_MESSAGE, membership=membership)
            _log_use(
                invitation=invitation,
                user=user,
                result=result.result,
                membership=result.membership,
                join_request=result.join_request,
            )
            audit_log(
                actor=user,
                college=college,
                action="invitation.accept",
                target=invitation,
                after={"result": result.result, "user": user.pk},
            )
            # The claim comes last: the row lock it takes is held only until COMMIT, so
            # concurrent acceptances queue on the link for one statement, not for the
            # whole join. Refused → everything above rolls back.
            claim = {"uses_count": F("uses_count") + 1}
            if invitation.is_personal:
                claim["delivery_status"] = Invitation.Delivery.ACCEPTED
            claimed = Invitation.objects.filter(
                Q(max_uses__isnull=True) | Q(uses_count__lt=F("max_uses")),
                pk=invitation.pk,
                status=Invitation.Status.ACTIVE,
                expires_at__gt=timezone.now(),
            ).update(**claim)
            if not claimed:
                raise _Refused
    except _Refused:
        fresh = Invitation.objects.get(pk=invitation.pk)
        problem = invitation_problem(fresh) or InvitationUse.Result.USED_UP
        return _refuse(invitation, user, problem, PROBLEM_MESSAGES[problem])
    except ValidationError as exc:
        # The same person accepting twice at once: the constraints let one through.
        if getattr(exc, "code", None) in ("membership_exists", "already_enrolled"):
            return AcceptResult(InvitationUse.Result.ALREADY_MEMBER, ALREADY_MEMBER_MESSAGE)
        raise
    except IntegrityError:
        pending = JoinRequest.objects.filter(
            user=user, college=college, role=invitation.role, status=JoinRequest.Status.PENDING
        ).first()
        return AcceptResult(InvitationUse.Result.REQUESTED, REQUESTED_MESSAGE, join_request=pending)
    if result.joined:
        _burst_check(invitation)
    return result


def invitation_accept_by_token(*, token: str, user: User) -> tuple[Invitation | None, AcceptResult | None]:
    """What «Присоединиться» does: the link ``token`` opens, and what came of following it.

    ``(None, None)`` for a forged token. On PostgreSQL the common case — a
    multi-use link that admits people directly, followed by someone who has no
    place in its college yet — is done by ``_join_at_once`` in one statement;
    every other case, every refusal and every other database (the SQLite of
    ``make run``) go through ``invitation_accept``, which does the same.
    """
    if not _plausible_token(token):
        return None, None
    # The one vendor check of acceptance: the statement is PostgreSQL's (a data-modifying WITH).
    joined = _join_at_once(token=token, user=user) if connection.vendor == "postgresql" else None
    if joined is not None:
        return joined
    invitation = invitation_find(token=token)
    if invitation is None:
        return None, None
    return invitation, invitation_accept(invitation=invitation, user=user)


# One statement: claim a place on the link (the conditional UPDATE of the cap,
# as in invitation_accept), then insert the membership, the enrollment of a
# student, the use log row and the three audit events invitation_accept's
# services write, from what the claim returned. It claims only when
# invitation_accept would join the person directly with nothing to reuse: a
# multi-use link that needs no approval, a person with no current membership
# of this role or as a student in the college and no pending request, and not
# a group's parent link (the parent's group is recorded by invitation_accept
# through groups' service); anything else claims nothing, inserts nothing and
# falls back. The one-group and one-membership unique indexes still decide
# races of the same person: a violation rolls the whole statement back, the
# claim with it. The audit rows' descriptions are the models' ``__str__``
# spelled in SQL (a test compares them).
_JOIN_AT_ONCE_SQL = """
WITH claim AS (
    UPDATE invitations_invitation AS link
       SET uses_count = link.uses_count + 1
     WHERE link.token_hash = %(token_hash)s
       AND link.kind = %(multi)s
       AND link.status = %(link_active)s
       AND link.expires_at > %(now)s
       AND (link.max_uses IS NULL OR link.uses_count < link.max_uses)
       AND NOT link.requires_approval
       AND (link.auto_approve_until IS NULL OR link.auto_approve_until > %(now)s)
       AND (link.role <> %(student)s OR link.group_id IS NOT NULL)
       AND (link.role <> %(parent)s OR link.group_id IS NULL)
       AND (link.group_id IS NULL OR EXISTS (
             SELECT 1 FROM groups_studygroup AS grp WHERE grp.id = link.group_id AND grp.college_id = link.college_id))
       AND NOT EXISTS (
             SELECT 1 FROM colleges_membership AS m
              WHERE m.user_id = %(user_id)s AND m.college_id = link.college_id
                AND m.role IN (link.role, %(student)s) AND m.status <> %(member_left)s)
       AND NOT EXISTS (
             SELECT 1 FROM invitations_joinrequest AS r
              WHERE r.user_id = %(user_id)s AND r.college_id = link.college_id
                AND r.role = link.role AND r.status = %(request_pending)s)
    RETURNING link.id, link.college_id, link.role, link.group_id,
              %(role_labels)s::jsonb ->> link.role AS role_label,
              (SELECT short_name FROM colleges_college WHERE id = link.college_id) AS college_name,
              (SELECT name FROM groups_studygroup WHERE id = link.group_id) AS group_name
), member AS (
    INSERT INTO colleges_membership
           (user_id, college_id, role, status, position, order_number, order_date, created_at, ended_at)
    SELECT %(user_id)s, claim.college_id, claim.role, %(member_active)s, '', '', NULL, %(now)s, NULL FROM claim
    RETURNING id
), enrolment AS (
    INSERT INTO groups_enrollment (college_id, student_id, group_id, started_at, ended_at, created_at)
    SELECT claim.college_id, member.id, claim.group_id, %(today)s, NULL, %(now)s
      FROM claim, member WHERE claim.role = %(student)s
    RETURNING id
), used AS (
    INSERT INTO invitations_invitationuse
           (invitation_id, college_id, user_id, result, membership_id, join_request_id, created_at)
    SELECT claim.id, claim.college_id, %(user_id)s, %(joined)s, member.id, NULL, %(now)s FROM claim, member
), audited AS (
    INSERT INTO audit_auditevent
           (actor_id, college_id, action, target_type, target_id, target_repr, before, after, ip, created_at)
    SELECT %(user_id)s, claim.college_id, event.action, event.target_type, event.target_id,
           left(event.target_repr, 255), NULL, event.after, %(ip)s, %(now)s
      FROM claim, member, LATERAL (VALUES
           ('membership.create', 'colleges.membership', member.id::text,
            %(user_repr)s || ' — ' || claim.role_label || ' (' || claim.college_name || ')',
            jsonb_build_object('user', %(user_id)s, 'role', claim.role, 'position', '')),
           ('enrollment.start', 'groups.enrollment', (SELECT id FROM enrolment)::text,
            %(user_repr)s || ' в ' || claim.group_name,
            jsonb_build_object('group', claim.group_id, 'started_at', %(today)s)),
           ('invitation.accept', 'invitations.invitation', claim.id::text,
            claim.role_label || coalesce(', ' || claim.group_name, '') || ' (' || %(multi_label)s || ')',
            jsonb_build_object('result', %(joined)s, 'user', %(user_id)s))
      ) AS event (action, target_type, target_id, target_repr, after)
     WHERE event.action <> 'enrollment.start' OR claim.role = %(student)s
)
SELECT claim.id, claim.college_id, claim.role, claim.group_id, member.id, (SELECT id FROM enrolment),
       EXISTS (SELECT 1 FROM colleges_membership AS other
                WHERE other.user_id = %(user_id)s AND other.college_id <> claim.college_id
                  AND other.status = %(member_active)s) AS elsewhere
  FROM claim, member
"""

# Planning the statement costs twice what running it does, so each database
# connection prepares it once and then only executes it.
_JOIN_AT_ONCE_PARAMS = {
    "token_hash": "text",
    "user_id": "bigint",
    "now": "timestamptz",
    "today": "date",
    "multi": "text",
    "link_active": "text",
    "student": "text",
    "parent": "text",
    "member_active": "text",
    "member_left": "text",
    "request_pending": "text",
    "joined": "text",
    "role_labels": "text",
    "user_repr": "text",
    "multi_label": "text",
    "ip": "inet",
}
_JOIN_AT_ONCE_NAME = "sferum_join_at_once"
_prepared_on: "weakref.WeakSet" = weakref.WeakSet()


def _join_at_once_execute(cursor, params: dict):
    """Run the statement on this connection's prepared copy (preparing it on first use); its one row or None."""
    raw = connection.connection
    if raw not in _prepared_on:
        numbered = _JOIN_AT_ONCE_SQL
        for number, name in enumerate(_JOIN_AT_ONCE_PARAMS, start=1):
            numbered = numbered.replace(f"%({name})s", f"${number}")
        types = ", ".join(_JOIN_AT_ONCE_PARAMS.values())
        cursor.execute(f"PREPARE {_JOIN_AT_ONCE_NAME} ({types}) AS {numbered}")
        _prepared_on.add(raw)
    placeholders = ", ".join(["%s"] * len(_JOIN_AT_ONCE_PARAMS))
    cursor.execute(f"EXECUTE {_JOIN_AT_ONCE_NAME} ({placeholders})", [params[name] for name in _JOIN_AT_ONCE_PARAMS])
    return cursor.fetchone()


_ROLE_LABELS = json.dumps({value: str(label) for value, label in Role.choices}, ensure_ascii=False)


def _join_at_once(*, token: str, user: User) -> tuple[Invitation, AcceptResult] | None:
    """The common acceptance as one SQL statement; None when it does not apply.

    Accepting a link is the busiest write there is (a whole group joins in the
    minutes after the curator sends the link): this does in one statement what
    ``invitation_accept`` does in about fifteen (reads, savepoints, inserts,
    the claim) — the same rows, audit events, signal and cache drop. PostgreSQL
    only (a data-modifying WITH): ``invitation_accept_by_token`` calls it there alone.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    params = {
        "token_hash": token_hash(token),
        "user_id": user.pk,
        "now": now,
        "today": today,
        "multi": Invitation.Kind.MULTI,
        "link_active": Invitation.Status.ACTIVE,
        "student": Role.STUDENT,
        "parent": Role.PARENT,
        "member_active": Membership.Status.ACTIVE,
        "member_left": Membership.Status.LEFT,
        "request_pending": JoinRequest.Status.PENDING,
        "joined": InvitationUse.Result.JOINED,
        "role_labels": _ROLE_LABELS,
        "user_repr": str(user),
        "multi_label": str(Invitation.Kind.MULTI.label),
        "ip": current_ip.get(),
    }
    try:
        # One statement is atomic by itself; inside a caller's transaction a
        # savepoint keeps a refused statement from spoiling it.
        with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
            with connection.cursor() as cursor:
                row = _join_at_once_execute(cursor, params)
            if row is None:
                return None
            link_id, college_id, role, group_id, member_id, enrollment_id, elsewhere = row
            if enrollment_id is not None:
                # The statement enrolled the student itself: the groups app announces it.
                enrollment_changed_on_commit(
                    college_id=college_id,
                    student_id=member_id,
                    old_group_id=None,
                    new_group_id=group_id,
                    kind=EnrollmentChange.ENROL,
                )
            college_cache.changed_on_commit([college_id])
    except IntegrityError:
        # The same person joining twice at once: the other request took the place; the full path answers.
        return None
    # Only what the caller reads: building full related objects would cost more than the statement.
    invitation = Invitation(pk=link_id, college_id=college_id, role=role, group_id=group_id, kind=Invitation.Kind.MULTI)
    membership = Membership(pk=member_id, user=user, college_id=college_id, role=role)
    _burst_check(invitation)
    return invitation, AcceptResult(
        InvitationUse.Result.JOINED, JOINED_MESSAGE, membership=membership, other_colleges=elsewhere
    )


def _join(
    *, actor, user: User, college: College, role: str, group: StudyGroup | None, existing: Membership | None
) -> Membership:
    """Membership and, for a student with a group, the enrollment, for a parent the group — inside the
    caller's transaction."""
    membership = existing
    if membership is None:
        membership = membership_create_unchecked(actor=actor, college=college, user=user, role=role)
    if role == Role.PARENT and group is not None:
        group_parent_add(actor=actor, parent=membership, group=group)
    if role == Role.STUDENT and group is not None:
        if group.college_id == college.pk:
            group.college = college  # already loaded: spares enrollment_start a query
        enrollment_start(actor=actor, student=membership, group=group, kind=EnrollmentChange.ENROL)
    return membership


def _burst_check(invitation: Invitation) -> None:
    """An unusual burst of joins through one link pauses it and tells the administrator."""
    window = conf.burst_window()
    key = f"invitations:burst:{invitation.pk}:{int(timezone.now().timestamp()) // window}"
    try:
        count = cache.incr(key)  # one round trip once the window's counter exists
    except ValueError:
        cache.add(key, 0, timeout=window * 2)
        try:
            count = cache.incr(key)
        except ValueError:
            return
    if count <= conf.burst_limit():
        return
    with transaction.atomic():
        paused = Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.ACTIVE).update(
            status=Invitation.Status.PAUSED, paused_reason="Слишком много присоединений за короткое время."
        )
        if not paused:
            return
        audit_log(
            actor=None,
            college=invitation.college,
            action="invitation.pause",
            target=invitation,
            after={"status": "paused", "reason": "burst", "joins": count, "window": window},
        )
        _notify_administrators(
            college=invitation.college,
            template="invitation_burst_paused",
            context={"invitation": str(invitation), "count": count, "minutes": max(window // 60, 1)},
            key=f"invitation-burst:{invitation.pk}:{key.rsplit(':', 1)[1]}",
        )


def _notify_administrators(*, college: College, template: str, context: dict, key: str) -> None:
    from invitations.tasks import notify

    phones = list(
        Membership.objects.filter(
            college=college, role=Role.ADMINISTRATOR, status=Membership.Status.ACTIVE
        ).values_list("user__phone", flat=True)
    )
    for phone in phones:
        transaction.on_commit(
            lambda phone=phone: notify.delay(
                recipient=phone,
                template=template,
                context=context,
                college_id=college.pk,
                idempotency_key=f"{key}:{phone}",
            )
        )


# --- Join requests ---------------------------------------------------------


def join_request_approve(*, actor: User, join_request: JoinRequest) -> JoinRequest:
    """Approval creates the membership and, for a student, the enrollment (a transfer ends the old one)."""
    if not can_decide_join_request(actor, join_request):
        raise PermissionDenied("Рассматривать эту заявку может администратор платформы или куратор группы.")
    with transaction.atomic():
        locked = (
            JoinRequest.objects.select_for_update(of=("self",))
            .select_related("college", "group", "user")
            .get(pk=join_request.pk)
        )
        if locked.status != JoinRequest.Status.PENDING:
            raise ValidationError(ALREADY_DECIDED_MESSAGE, code="already_decided")
        college, user = locked.college, locked.user
        existing = (
            Membership.objects.filter(user=user, college=college, role=locked.role)
            .exclude(status=Membership.Status.LEFT)
            .first()
        )
        membership = existing
        if locked.role == Role.STUDENT:
            current = Enrollment.objects.filter(student=existing, ended_at__isnull=True).first() if existing else None
            if current is None:
                membership = _join(
                    actor=actor, user=user, college=college, role=locked.role, group=locked.group, existing=existing
                )
            elif current.group_id != locked.group_id:
                _transfer(actor=actor, join_request=locked, student=existing)
        else:
            membership = _join(
                actor=actor, user=user, college=college, role=locked.role, group=locked.group, existing=existing
            )
        _settle_uses([locked.pk], result=InvitationUse.Result.JOINED, membership=membership)
        locked.status = JoinRequest.Status.APPROVED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        audit_log(
            actor=actor,
            college=college,
            action="join_request.approve",
            target=locked,
            after={"user": user.pk, "role": locked.role, "group": locked.group_id},
        )
        _notify_person(locked, template="invitation_request_approved")
    return locked


def _transfer(*, actor, join_request: JoinRequest, student: Membership) -> None:
    """A transfer is movement of the roster: it goes through the movement service as an order, so the
    person's history («История движения») shows it, and is applied at once."""
    today = timezone.localdate()
    movement_create_unchecked(
        actor=actor,
        college=join_request.college,
        kind=MovementKind.TRANSFER,
        person=student,
        to_group=join_request.group,
        order_number=f"заявка № {join_request.pk}",
        order_date=today,
        effective_date=today,
        reason=TRANSFER_BY_REQUEST_REASON,
        apply_now=True,
    )


def join_request_reject(*, actor: User, join_request: JoinRequest, reason: str) -> JoinRequest:
    if not can_decide_join_request(actor, join_request):
        raise PermissionDenied("Рассматривать эту заявку может администратор платформы или куратор группы.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED_MESSAGE})
    with transaction.atomic():
        locked = (
            JoinRequest.objects.select_for_update(of=("self",))
            .select_related("college", "user")
            .get(pk=join_request.pk)
        )
        if locked.status != JoinRequest.Status.PENDING:
            raise ValidationError(ALREADY_DECIDED_MESSAGE, code="already_decided")
        locked.status = JoinRequest.Status.REJECTED
        locked.reason = reason[:500]
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        released = _settle_uses([locked.pk], result=InvitationUse.Result.REJECTED)
        audit_log(
            actor=actor,
            action="join_request.reject",
            target=locked,
            after={"reason": locked.reason, "places_released": released},
        )
        _notify_person(locked, template="invitation_request_rejected")
    return locked


def _settle_uses(join_request_ids: list[int], *, result: str, membership: Membership | None = None) -> int:
    """The use log takes the outcome of decided requests (it said «подал заявку» until now).

    A request holds a place on its link from the moment it is filed, so that
    approvals never pass the cap; one that ends without a join gives the place
    back to a multi-use link (a personal invitation stays spent: its addressee
    had their one attempt). Returns how many places were given back.
    """
    uses = InvitationUse.objects.filter(join_request_id__in=join_request_ids, result=InvitationUse.Result.REQUESTED)
    released = {}
    if result != InvitationUse.Result.JOINED:
        released = Counter(uses.filter(invitation__kind=Invitation.Kind.MULTI).values_list("invitation_id", flat=True))
    changes = {"result": result}
    if membership is not None:
        changes["membership"] = membership
    uses.update(**changes)
    for invitation_id, n in sorted(released.items()):
        Invitation.objects.filter(pk=invitation_id, uses_count__gte=n).update(uses_count=F("uses_count") - n)
    return sum(released.values())


def join_requests_decide(
    *, actor: User, join_requests: list[JoinRequest], approve: bool, reason: str = ""
) -> tuple[int, list[str]]:
    """Bulk decision: each request in its own transaction; returns (done, errors) so one bad row stops nothing."""
    if not approve and not (reason or "").strip():
        raise ValidationError({"reason": REASON_REQUIRED_MESSAGE})
    done, errors = 0, []
    for join_request in join_requests:
        try:
            if approve:
                join_request_approve(actor=actor, join_request=join_request)
            else:
                join_request_reject(actor=actor, join_request=join_request, reason=reason)
            done += 1
        except (ValidationError, PermissionDenied) as exc:
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            errors.append(f"{join_request.user}: {text}")
    return done, errors


def _notify_person(join_request: JoinRequest, *, template: str) -> None:
    from invitations.tasks import notify

    context = {
        "college": join_request.college.short_name,
        "role": join_request.get_role_display(),
        "group": join_request.group.name if join_request.group_id else "",
        "reason": join_request.reason,
        "url": settings.SITE_URL,
    }
    phone, college_id, pk = join_request.user.phone, join_request.college_id, join_request.pk
    transaction.on_commit(
        lambda: notify.delay(
            recipient=phone,
            template=template,
            context=context,
            college_id=college_id,
            idempotency_key=f"join-request:{pk}:{template}",
        )
    )


def join_requests_close_for_student(*, college_id: int, student: Membership, reason: str) -> int:
    """A student left the college: their open requests and personal invitations close. Returns how many."""
    with transaction.atomic():
        pending = JoinRequest.objects.filter(
            college_id=college_id, user_id=student.user_id, status=JoinRequest.Status.PENDING
        )
        pending_ids = list(pending.select_for_update().values_list("pk", flat=True))
        closed = JoinRequest.objects.filter(pk__in=pending_ids, status=JoinRequest.Status.PENDING).update(
            status=JoinRequest.Status.CLOSED, reason=reason, decided_at=timezone.now()
        )
        _settle_uses(pending_ids, result=InvitationUse.Result.CLOSED)
        user = student.user
        personal = Invitation.objects.filter(
            Q(recipient_phone=user.phone) | (Q(recipient_email__iexact=user.email) if user.email else Q(pk__in=[])),
            college_id=college_id,
            kind=Invitation.Kind.PERSONAL,
        ).exclude(status=Invitation.Status.REVOKED)
        revoked = personal.update(status=Invitation.Status.REVOKED, revoked_at=timezone.now())
        if closed or revoked:
            audit_log(
                actor=None,
                college=student.college,
                action="invitation.close_for_leaver",
                target=student,
                after={"join_requests": closed, "personal_invitations": revoked, "reason": reason},
            )
    return closed + revoked


# --- Bulk personal invitations ----------------------------------------------


def bulk_dispatch_create(
    *,
    actor: User,
    college: College,
    role: str,
    group: StudyGroup | None,
    expires_at: datetime.datetime,
    recipients: list[dict],
) -> BulkDispatch:
    """One personal invitation per recipient (``{"name", "phone" or "email"}``, already checked by the preview),
    then Celery sends them in batches after commit."""
    invitation_target_check(college=college, role=role, group=group)
    if not can_send_bulk_invitations(actor, college) or not can_create_invitation(
        actor, college, role=role, group=group
    ):
        raise PermissionDenied("Рассылать приглашения может администратор платформы или администрация колледжа.")
    if not recipients:
        raise ValidationError("Нет получателей для рассылки.")
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": "Срок действия должен быть в будущем."})
    with transaction.atomic():
        dispatch = BulkDispatch.objects.create(
            college=college, role=role, group=group, created_by=actor, total=len(recipients), queued_at=timezone.now()
        )
        rows = []
        for recipient in recipients:
            token = token_new()
            rows.append(
                Invitation(
                    college=college,
                    role=role,
                    group=group,
                    kind=Invitation.Kind.PERSONAL,
                    max_uses=1,
                    expires_at=expires_at,
                    recipient_phone=recipient.get("phone", ""),
                    recipient_email=recipient.get("email", ""),
                    recipient_name=recipient.get("name", "")[:300],
                    delivery_status=Invitation.Delivery.QUEUED,
                    dispatch=dispatch,
                    created_by=actor,
                    token_hash=token_hash(token),
                    token_sealed=token_seal(token),
                )
            )
        Invitation.objects.bulk_create(rows, batch_size=1000)
        audit_log(
            actor=actor,
            college=college,
            action="invitation.bulk_dispatch",
            target=dispatch,
            after={"total": len(rows), "role": role, "group": group},
        )
        transaction.on_commit(lambda: bulk_dispatch_enqueue(dispatch=dispatch))
    return dispatch


def bulk_dispatch_enqueue(*, dispatch: BulkDispatch) -> int:
    """Queue one task per batch of still-queued invitations. Safe to call again: sending is idempotent."""
    from invitations.tasks import dispatch_send_batch

    ids = list(
        Invitation.objects.filter(dispatch=dispatch, delivery_status=Invitation.Delivery.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    size = conf.dispatch_batch_size()
    BulkDispatch.objects.filter(pk=dispatch.pk, status=BulkDispatch.Status.QUEUED).update(
        status=BulkDispatch.Status.RUNNING
    )
    batches = 0
    for start in range(0, len(ids), size):
        dispatch_send_batch.delay(dispatch.pk, ids[start : start + size])
        batches += 1
    if not ids:
        BulkDispatch.objects.filter(pk=dispatch.pk).update(status=BulkDispatch.Status.DONE)
    return batches


DISPATCH_NOT_STUCK_MESSAGE = "Рассылка не зависла: она завершена или ещё отправляется. Обновите страницу."


def _stuck_before() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.STUCK_WORK_MINUTES)


def _stuck_dispatches():
    """Dispatches not finished, with invitations still «в очереди» longer than ``STUCK_WORK_MINUTES`` after queueing."""
    before = _stuck_before()
    return (
        BulkDispatch.objects.exclude(status=BulkDispatch.Status.DONE)
        .filter(Q(queued_at__lt=before) | Q(queued_at__isnull=True, created_at__lt=before))
        .filter(
            pk__in=Invitation.objects.filter(dispatch__isnull=False, delivery_status=Invitation.Delivery.QUEUED).values(
                "dispatch_id"
            )
        )
    )


def bulk_dispatch_is_stuck(*, dispatch: BulkDispatch, progress: dict[str, int]) -> bool:
    """For the page, from ``bulk_dispatch_progress`` it already has: the same test as the sweep's, no query."""
    queued_at = dispatch.queued_at or dispatch.created_at
    return dispatch.status != BulkDispatch.Status.DONE and progress["queued"] > 0 and queued_at < _stuck_before()


def _bulk_dispatch_requeue_claim(dispatch_id: int) -> bool:
    """Move ``queued_at`` on, conditionally: of two sweeps (or a sweep and a click) only one queues the batches."""
    return bool(_stuck_dispatches().filter(pk=dispatch_id).update(queued_at=timezone.now()))


def bulk_dispatch_requeue_stuck() -> int:
    """Beat: queue again the still-queued invitations of dispatches whose workers were lost; returns how many.

    Sending is idempotent per (invitation, recipient), so a dispatch that was only slow sends nothing twice.
    """
    queued = 0
    for dispatch in _stuck_dispatches().select_related("college").order_by("pk")[:500]:
        with transaction.atomic():
            if not _bulk_dispatch_requeue_claim(dispatch.pk):
                continue
            audit_log(actor=None, college=dispatch.college, action="invitation.bulk_dispatch_requeue", target=dispatch)
            transaction.on_commit(lambda dispatch=dispatch: bulk_dispatch_enqueue(dispatch=dispatch))
        queued += 1
    return queued


@transaction.atomic
def bulk_dispatch_requeue(*, actor: User, dispatch: BulkDispatch) -> BulkDispatch:
    """«Повторить»: the administrator queues a stuck dispatch again."""
    if not can_send_bulk_invitations(actor, dispatch.college):
        raise PermissionDenied("Рассылать приглашения может администратор платформы или администрация колледжа.")
    if not _bulk_dispatch_requeue_claim(dispatch.pk):
        raise ValidationError(DISPATCH_NOT_STUCK_MESSAGE, code="not_stuck")
    audit_log(actor=actor, college=dispatch.college, action="invitation.bulk_dispatch_requeue", target=dispatch)
    transaction.on_commit(lambda: bulk_dispatch_enqueue(dispatch=dispatch))
    return dispatch


def invitation_deliver(*, invitation: Invitation) -> str:
    """Send one personal invitation. At most one message per (invitation, recipient), however often it runs."""
    from invitations.tokens import token_unseal
    from notifications.models import Message
    from notifications.services import notification_send

    channel = Message.Channel.SMS if invitation.recipient_phone else Message.Channel.EMAIL
    recipient = invitation.recipient_phone or invitation.recipient_email
    token = token_unseal(invitation.token_sealed)
    if not token:
        # Sealed with another SECRET_KEY (rotated, or a worker configured differently).
        raise ValidationError(
            "Ссылку не удалось восстановить: проверьте, что у веб-сервера и воркеров один SECRET_KEY."
        )
    message = notification_send(
        channel=channel,
        recipient=recipient,
        template="invitation",
        context={
            "college": invitation.college.short_name,
            "role": invitation.get_role_display(),
            "group": invitation.group.name if invitation.group_id else "",
            "name": invitation.recipient_name,
            "url": invitation_url(token),
        },
        college=invitation.college,
        secret_keys=("url",),
        idempotency_key=f"invitation:{invitation.pk}:{recipient}",
    )
    return message.status


def bulk_dispatch_progress(*, dispatch: BulkDispatch) -> dict[str, int]:
    from django.db.models import Count

    counts = dict(
        Invitation.objects.filter(dispatch=dispatch)
        .values_list("delivery_status")
        .annotate(n=Count("pk"))
        .values_list("delivery_status", "n")
    )
    out = {status: counts.get(status, 0) for status in ("queued", "sent", "failed", "unknown", "accepted")}
    out["total"] = dispatch.total
    out["done"] = out["sent"] + out["failed"] + out["unknown"] + out["accepted"]
    out["percent"] = int(out["done"] * 100 / dispatch.total) if dispatch.total else 100
    return out


def invitation_send_to(*, actor: User, invitation: Invitation, phone: str) -> None:
    """A curator or administrator sends a multi-use link to one phone by SMS («отправить»).

    The task gets the link's id, not its URL: the token never travels through the broker.
    """
    from accounts.phones import normalize_phone
    from invitations.tasks import send_link

    if not can_view_invitation(actor, invitation):
        raise PermissionDenied("Вы не можете отправлять эту ссылку.")
    if invitation_problem(invitation):
        raise ValidationError("Ссылка не действует — отправить её нельзя.")
    phone = normalize_phone(phone)
    with transaction.atomic():
        audit_log(actor=actor, action="invitation.send", target=invitation, after={"phone": phone})
        transaction.on_commit(lambda: send_link.delay(invitation_id=invitation.pk, phone=phone))


def invitation_send_link(*, invitation_id: int, phone: str, idempotency_key: str | None = None) -> None:
    """The SMS with a link, rendered where it is sent (called by the task; a retried task passes the same key)."""
    from invitations.tokens import token_unseal
    from notifications.models import Message
    from notifications.services import notification_send

    invitation = Invitation.objects.select_related("college", "group").get(pk=invitation_id)
    if invitation_problem(invitation):
        return
    notification_send(
        channel=Message.Channel.SMS,
        recipient=phone,
        template="invitation",
        context={
            "college": invitation.college.short_name,
            "role": invitation.get_role_display(),
            "group": invitation.group.name if invitation.group_id else "",
            "name": "",
            "url": invitation_url(token_unseal(invitation.token_sealed)),
        },
        college=invitation.college,
        secret_keys=("url",),
        idempotency_key=idempotency_key,
    )


def bulk_dispatch_send_batch(*, dispatch_id: int, invitation_ids: list[int]) -> list[int]:
    """Deliver what is still queued among ``invitation_ids``; returns ids worth a retry."""
    from django.db import connection

    async_commit = conf.dispatch_async_commit() and connection.vendor == "postgresql"
    if async_commit:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
    try:
        return _send_batch(dispatch_id=dispatch_id, invitation_ids=invitation_ids)
    finally:
        if async_commit:
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO DEFAULT")


def _send_batch(*, dispatch_id: int, invitation_ids: list[int]) -> list[int]:
    from notifications.models import Message

    invitations = list(
        Invitation.objects.filter(
            pk__in=invitation_ids,
            dispatch_id=dispatch_id,
            delivery_status__in=[Invitation.Delivery.QUEUED, Invitation.Delivery.FAILED],
        )
        .exclude(status=Invitation.Status.REVOKED)
        .select_related("college", "group")
        .order_by("pk")
    )
    sent, unknown, failed, retry = [], [], {}, []
    # SMS of the batch: written in one INSERT, each claimed and recorded in one UPDATE; the rest one by one.
    invitations = _deliver_sms_batch(invitations, sent=sent, failed=failed, retry=retry)
    for invitation in invitations:
        try:
            status = invitation_deliver(invitation=invitation)
        except SmsDeliveryError as exc:
            retry.append(invitation.pk)
            failed[invitation.pk] = str(exc)[:500]
            continue
        except ValidationError as exc:
            failed[invitation.pk] = " ".join(exc.messages)[:500]
            continue
        if status == Message.Status.FAILED:
            failed[invitation.pk] = "Сообщение не принято шлюзом."
        elif status == Message.Status.SENDING:
            unknown.append(invitation.pk)
        else:
            sent.append(invitation.pk)
    if sent:
        Invitation.objects.filter(pk__in=sent, delivery_status__in=["queued", "failed"]).update(
            delivery_status=Invitation.Delivery.SENT, delivery_error=""
        )
    if unknown:
        # At most once: a message claimed by a worker that died may or may not have reached the
        # gateway. It is flagged for the administrator, never sent a second time.
        Invitation.objects.filter(pk__in=unknown, delivery_status__in=["queued", "failed"]).update(
            delivery_status=Invitation.Delivery.UNKNOWN,
            delivery_error="Отправка прервалась: проверьте, получил ли человек приглашение.",
        )
    for pk, error in failed.items():
        Invitation.objects.filter(pk=pk, delivery_status="queued").update(
            delivery_status=Invitation.Delivery.FAILED, delivery_error=error
        )
    if not Invitation.objects.filter(dispatch_id=dispatch_id, delivery_status=Invitation.Delivery.QUEUED).exists():
        BulkDispatch.objects.filter(pk=dispatch_id).exclude(status=BulkDispatch.Status.DONE).update(
            status=BulkDispatch.Status.DONE
        )
    return retry


def _invitation_sms(invitation: Invitation) -> tuple[str, str, dict] | None:
    """(text, stored text with the link masked, stored context) of a personal invitation's SMS, or None."""
    from invitations.tokens import token_unseal
    from notifications.models import Message
    from notifications.services import MASK, render_message

    token = token_unseal(invitation.token_sealed)
    if not token:
        return None
    url = invitation_url(token)
    context = {
        "college": invitation.college.short_name,
        "role": invitation.get_role_display(),
        "group": invitation.group.name if invitation.group_id else "",
        "name": invitation.recipient_name,
        "url": url,
    }
    _, body = render_message(channel=Message.Channel.SMS, template="invitation", context=context)
    return body, body.replace(url, MASK), {**context, "url": MASK}


def _deliver_sms_batch(invitations: list[Invitation], *, sent: list, failed: dict, retry: list) -> list[Invitation]:
    """Send the SMS invitations of a batch through ``notification_send_sms_batch`` (one statement a message).

    Fills ``sent``/``failed``/``retry`` with invitation ids and returns the invitations left
    to the caller, which sends them one by one through ``invitation_deliver``: e-mail
    invitations, unreadable links, and keys the batch could not claim.
    """
    from notifications.services import OutgoingSms, notification_send_sms_batch

    rest, by_key = [], {}
    outgoing = []
    for invitation in invitations:
        rendered = _invitation_sms(invitation) if invitation.recipient_phone else None
        if rendered is None:
            rest.append(invitation)  # e-mail, or invitation_deliver explains the unreadable link
            continue
        body, stored_body, stored_context = rendered
        key = f"invitation:{invitation.pk}:{invitation.recipient_phone}"
        by_key[key] = invitation
        outgoing.append(
            OutgoingSms(
                idempotency_key=key,
                recipient=invitation.recipient_phone,
                template="invitation",
                body=body,
                stored_body=stored_body,
                stored_context=stored_context,
                college_id=invitation.college_id,
            )
        )
    outcome = notification_send_sms_batch(messages=outgoing)
    sent.extend(by_key[key].pk for key in outcome.sent)
    for key, (error, retryable) in outcome.failed.items():
        failed[by_key[key].pk] = error
        if retryable:
            retry.append(by_key[key].pk)
    rest.extend(by_key[key] for key in outcome.left)
    return rest
