"""Links: creating, revoking, renewing, pausing and handing them to curators, and sending one by SMS."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.phones import normalize_phone
from audit.services import audit_log
from colleges.models import College, Membership, Role
from groups.models import CuratorAssignment, StudyGroup
from invitations.messages import ADMINISTRATOR_NOT_INVITED_MESSAGE
from invitations.models import Invitation
from invitations.permissions import (
    INVITABLE_ROLES,
    can_create_invitation,
    can_hand_invitations,
    can_invite_parents,
    can_manage_invitation,
    can_view_invitation,
)
from invitations.selectors import group_parent_link_current, invitation_problem, invitation_url
from invitations.tokens import token_hash, token_new, token_seal, token_unseal
from notifications.models import Message
from notifications.services import notification_send


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
    if group is None:
        raise ValidationError("Передать куратору можно только ссылку учебной группы.")
    if not CuratorAssignment.objects.filter(group=group, teacher=curator, ended_at__isnull=True).exists():
        raise ValidationError("Этот преподаватель не куратор группы.")


def invitations_hand_to_curator(*, actor: User, group: StudyGroup) -> list[Invitation]:
    """Give the group's active student links to its curator; creates one when the group has none."""
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


PARENT_LINK_DAYS = 30
PARENT_LINK_MAX_USES = 100


def group_parent_link(*, actor: User, group: StudyGroup) -> tuple[Invitation, bool]:
    """The group's parent link that admits people now, made when there is none; (link, created).

    «Пригласить родителей» (seed §2.6: a parent joins by a link from the curator or the administration)
    pressed twice, or by the curator and a deputy at once, gives one link: the group's row is locked
    while the links are read.
    """
    if not can_invite_parents(actor, group):
        raise PermissionDenied("Пригласить родителей группы может её куратор, администрация или администратор.")
    with transaction.atomic():
        StudyGroup.objects.select_for_update().filter(pk=group.pk).first()
        link = group_parent_link_current(group=group)
        if link is not None:
            return link, False
        invitation, _ = invitation_create(
            actor=actor,
            college=group.college,
            role=Role.PARENT,
            group=group,
            max_uses=PARENT_LINK_MAX_USES,
            expires_at=timezone.now() + datetime.timedelta(days=PARENT_LINK_DAYS),
        )
    return invitation, True


def invitation_send_to(*, actor: User, invitation: Invitation, phone: str) -> None:
    """A curator or administrator sends a multi-use link to one phone by SMS («отправить»).

    The task gets the link's id, not its URL: the token never travels through the broker.
    """
    from invitations.tasks import send_link

    if not can_view_invitation(actor, invitation):
        raise PermissionDenied("Вы не можете отправлять эту ссылку.")
    if invitation_problem(invitation):
        raise ValidationError("Ссылка не действует — отправить её нельзя.")
    phone = normalize_phone(phone)
    with transaction.atomic():
        audit_log(actor=actor, action="invitation.send", target=invitation, after={"phone": phone})
        transaction.on_commit(lambda: send_link.delay(invitation_id=invitation.pk, phone=phone), robust=True)


def invitation_send_link(*, invitation_id: int, phone: str, idempotency_key: str | None = None) -> None:
    """The SMS with a link, rendered where it is sent (called by the task; a retried task passes the same key)."""
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
