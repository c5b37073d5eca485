"""Join requests: the administrator (or the group's curator) approves or rejects what a link filed."""

from collections import Counter

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from audit.services import audit_log
from colleges.models import Membership, Role
from groups.models import Enrollment
from invitations.messages import ALREADY_DECIDED_MESSAGE, REASON_REQUIRED_MESSAGE, TRANSFER_BY_REQUEST_REASON
from invitations.models import Invitation, InvitationUse, JoinRequest
from invitations.permissions import can_decide_join_request
from invitations.services.acceptance import join_person
from movement.models import MovementKind
from movement.services import movement_create_unchecked


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
                membership = join_person(
                    actor=actor, user=user, college=college, role=locked.role, group=locked.group, existing=existing
                )
            elif current.group_id != locked.group_id:
                _transfer(actor=actor, join_request=locked, student=existing)
        else:
            membership = join_person(
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


def _transfer(*, actor: User, join_request: JoinRequest, student: Membership) -> None:
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
        ),
        robust=True,
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
