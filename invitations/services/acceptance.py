"""Following a link: the person joins (membership, and enrollment for a student) or files a join request.

The cap of a link (invariant 4 of DESIGN.md) is claimed by one conditional
UPDATE: PostgreSQL re-checks its WHERE on the newest row version after any
concurrent revoke or acceptance commits, so no reader ever decides on a stale
count or status.

This is the busiest write there is (a whole group joins in the minutes after
the curator sends the link), so its statements are counted in
tests/invitations/test_accept.py. A newcomer joining by a student link costs:
the link (read with where the person stands), the membership and the
enrollment (their owning services open no savepoint: a unique-index clash
rolls the whole acceptance back, then answered «already a member»), the use
row, the three audit events in one INSERT and the claim.
"""

import datetime
from dataclasses import dataclass
from functools import partial

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from audit.services import audit_log, audit_log_batch
from colleges.models import College, Membership, Role
from colleges.services import membership_create_unchecked
from core.compiled import PLACEHOLDER_DATETIME, PLACEHOLDER_INT, CompiledUpdate
from groups.models import GroupParent, StudyGroup
from groups.services import enrollment_start, group_parent_add, student_counts_deferred
from groups.signals import EnrollmentChange
from invitations import conf
from invitations.messages import (
    ALREADY_MEMBER_MESSAGE,
    JOINED_MESSAGE,
    NOT_ADDRESSEE_MESSAGE,
    PARENT_LINK_IN_STUDENT_SESSION_MESSAGE,
    PROBLEM_MESSAGES,
    REQUESTED_MESSAGE,
    TRANSFER_REQUESTED_MESSAGE,
)
from invitations.models import Invitation, InvitationUse, JoinRequest
from invitations.selectors import PersonStanding, invitation_find_for, invitation_problem, person_standing


@dataclass
class AcceptResult:
    result: str
    message: str
    membership: Membership | None = None
    join_request: JoinRequest | None = None
    # Whether the person belongs to another college too (then the one just joined is made current).
    other_colleges: bool = True

    @property
    def joined(self) -> bool:
        return self.result == InvitationUse.Result.JOINED


class _Refused(Exception):
    """The claim found the link no longer admitting anyone: everything written before it rolls back."""


def invitation_accept_by_token(*, token: str, user: User) -> tuple[Invitation | None, AcceptResult | None]:
    """What «Присоединиться» does: the link ``token`` opens, and what came of following it.

    ``(None, None)`` for a forged token.
    """
    invitation, standing = invitation_find_for(token=token, user=user)
    if invitation is None:
        return None, None
    return invitation, _accept(invitation, user, standing)


def invitation_accept(*, invitation: Invitation, user: User) -> AcceptResult:
    """``user`` follows the link: joins (membership, and enrollment for a student) or files a join request.

    Every answer but a crash is an ``AcceptResult``; the reasons a link admits
    no one are answers, not exceptions, so hundreds of people racing for the
    last places all get a page.
    """
    return _accept(invitation, user, standing=None)


def _accept(invitation: Invitation, user: User, standing: PersonStanding | None) -> AcceptResult:
    """``invitation_accept``, with the person's standing already read with the link (``invitation_find_for``)
    or, when None, read here once the link is known to admit people."""
    now = timezone.now()
    problem = invitation_problem(invitation, now=now)
    if problem:
        return _refuse(invitation, user, problem, PROBLEM_MESSAGES[problem])
    if invitation.is_personal and not _is_addressee(invitation, user):
        return _refuse(invitation, user, InvitationUse.Result.REFUSED, NOT_ADDRESSEE_MESSAGE)
    if standing is None:
        standing = person_standing(user=user, college=invitation.college, role=invitation.role)
    settled = _answer_before_joining(invitation, user, standing)
    if settled is not None:
        return settled
    needs_review = (
        standing.student_group is not None
        or invitation.requires_approval
        or (invitation.auto_approve_until is not None and now >= invitation.auto_approve_until)
    )
    try:
        result = _join_or_request(invitation, user, standing, needs_review=needs_review)
    except _Refused:
        # The only re-read, on the losing side of a race: why the link stopped admitting.
        problem = invitation_problem(Invitation.objects.get(pk=invitation.pk)) or InvitationUse.Result.USED_UP
        return _refuse(invitation, user, problem, PROBLEM_MESSAGES[problem])
    except ValidationError as exc:
        # The same person accepting twice at once: the constraints let one through.
        if getattr(exc, "code", None) in ("membership_exists", "already_enrolled"):
            return AcceptResult(InvitationUse.Result.ALREADY_MEMBER, ALREADY_MEMBER_MESSAGE)
        raise
    except IntegrityError:
        # Two requests of the same person at once: ``one_pending_join_request`` let one through.
        pending = JoinRequest.objects.filter(
            user=user, college_id=invitation.college_id, role=invitation.role, status=JoinRequest.Status.PENDING
        ).first()
        return AcceptResult(InvitationUse.Result.REQUESTED, REQUESTED_MESSAGE, join_request=pending)
    if result.joined:
        _burst_check(invitation)
    return result


def _answer_before_joining(invitation: Invitation, user: User, standing: PersonStanding) -> AcceptResult | None:
    """The answer when the person already has what the link gives, has a request waiting, or follows a
    parent link while studying here (then the refusal is logged); None when they join or file a request."""
    if invitation.role == Role.PARENT and standing.student is not None:
        if standing.student.status == Membership.Status.ACTIVE:
            return _refuse(invitation, user, InvitationUse.Result.REFUSED, PARENT_LINK_IN_STUDENT_SESSION_MESSAGE)
    existing = standing.member
    if invitation.role == Role.STUDENT:
        in_the_group = standing.student_group is not None and standing.student_group == invitation.group_id
        if existing is not None and in_the_group:
            return AcceptResult(InvitationUse.Result.ALREADY_MEMBER, ALREADY_MEMBER_MESSAGE, membership=existing)
    elif existing is not None and not _new_parent_group(invitation, existing):
        return AcceptResult(InvitationUse.Result.ALREADY_MEMBER, ALREADY_MEMBER_MESSAGE, membership=existing)
    if standing.pending_request is not None:
        return AcceptResult(InvitationUse.Result.REQUESTED, REQUESTED_MESSAGE, join_request=standing.pending_request)
    return None


def _join_or_request(
    invitation: Invitation, user: User, standing: PersonStanding, *, needs_review: bool
) -> AcceptResult:
    """The writes of an acceptance, in one transaction: the join (or the request), its use row and audit
    events (one INSERT), then the claim of a place, which raises ``_Refused`` when none is left."""
    with transaction.atomic():
        # The group's student count is written as the block ends, right before the claim (its row lock too).
        with student_counts_deferred(), audit_log_batch():
            if needs_review:
                result = _request(invitation, user, transfer_from=standing.student_group)
            else:
                membership = join_person(
                    actor=user,
                    user=user,
                    college=invitation.college,
                    role=invitation.role,
                    group=invitation.group,
                    existing=standing.member,
                )
                result = AcceptResult(
                    InvitationUse.Result.JOINED,
                    JOINED_MESSAGE,
                    membership=membership,
                    other_colleges=standing.other_colleges,
                )
            _log_use(invitation, user, result.result, membership=result.membership, join_request=result.join_request)
            audit_log(
                actor=user,
                college=invitation.college,
                action="invitation.accept",
                target=invitation,
                after={"result": result.result, "user": user.pk},
            )
        # The claim comes last: the row lock it takes is held only until COMMIT, so
        # concurrent acceptances queue on the link for one statement, not for the
        # whole join. Refused → everything above rolls back.
        if not _claim(invitation):
            raise _Refused
    return result


def _request(invitation: Invitation, user: User, *, transfer_from: int | None) -> AcceptResult:
    join_request = JoinRequest.objects.create(
        college_id=invitation.college_id,
        user=user,
        role=invitation.role,
        group_id=invitation.group_id,
        from_group_id=transfer_from,
        invitation=invitation,
    )
    return AcceptResult(
        InvitationUse.Result.REQUESTED,
        TRANSFER_REQUESTED_MESSAGE if transfer_from else REQUESTED_MESSAGE,
        join_request=join_request,
    )


def _claim_query(pk: int, now: datetime.datetime, *, personal: bool) -> tuple[QuerySet[Invitation], dict]:
    """The claim as ``queryset.update(**changes)`` would take it: the link ``pk`` while it admits people."""
    claim = {"uses_count": F("uses_count") + 1}
    if personal:
        claim["delivery_status"] = Invitation.Delivery.ACCEPTED
    admitting = Invitation.objects.filter(
        Q(max_uses__isnull=True) | Q(uses_count__lt=F("max_uses")),
        pk=pk,
        status=Invitation.Status.ACTIVE,
        expires_at__gt=now,
    )
    return admitting, claim


# Built by the ORM once per process (invitations/compiled.py): every acceptance runs one of them.
_CLAIMS = {
    personal: CompiledUpdate(
        Invitation, partial(_claim_query, personal=personal), PLACEHOLDER_INT, PLACEHOLDER_DATETIME
    )
    for personal in (False, True)
}


def _claim(invitation: Invitation) -> bool:
    """Take one place on the link if it still admits people: one conditional UPDATE, which decides races."""
    return bool(_CLAIMS[invitation.is_personal].run(invitation.pk, timezone.now()))


def join_person(
    *,
    actor: User | None,
    user: User,
    college: College,
    role: str,
    group: StudyGroup | None,
    existing: Membership | None,
) -> Membership:
    """Membership and, for a student with a group, the enrollment, for a parent the group — through their
    owning apps' services, inside the caller's transaction."""
    membership = existing
    if membership is None:
        membership = membership_create_unchecked(actor=actor, college=college, user=user, role=role)
    if group is not None and group.college_id == college.pk:
        group.college = college  # already loaded: spares the groups services a query
    if role == Role.PARENT and group is not None:
        group_parent_add(actor=actor, parent=membership, group=group)
    if role == Role.STUDENT and group is not None:
        enrollment_start(actor=actor, student=membership, group=group, kind=EnrollmentChange.ENROL)
    return membership


def _log_use(
    invitation: Invitation,
    user: User,
    result: str,
    *,
    membership: Membership | None = None,
    join_request: JoinRequest | None = None,
) -> None:
    # By id: the row is only written, and relations assigned by instance cost as much again to set and to
    # check before the INSERT (one row on every answer of the busiest flow there is).
    InvitationUse.objects.create(
        invitation_id=invitation.pk,
        college_id=invitation.college_id,
        user_id=user.pk,
        result=result,
        membership_id=membership.pk if membership is not None else None,
        join_request_id=join_request.pk if join_request is not None else None,
    )


def _refuse(invitation: Invitation, user: User, result: str, message: str) -> AcceptResult:
    _log_use(invitation, user, result)
    return AcceptResult(result=result, message=message)


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
    if count > conf.burst_limit():
        _burst_pause(invitation, count=count, window=window, key=key)


def _burst_pause(invitation: Invitation, *, count: int, window: int, key: str) -> None:
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
            ),
            robust=True,
        )
