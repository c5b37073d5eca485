"""Who is in a chat, by hand: adding, leaving, removing, banning, muting, appointing moderators.

The roster's own changes are in ``sync``. Every action here is audited and announced to open sockets.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_log
from chats import events, permissions, texts
from chats.models import ROSTER_KINDS, Chat, ChatKind, ChatMember
from chats.services.common import (
    announce_removed,
    ensure_owner,
    lock_chat,
    members_join_unchecked,
    members_leave_unchecked,
)
from colleges.models import Membership


def _row_in(chat: Chat, member: Membership) -> ChatMember:
    row = ChatMember.objects.filter(chat=chat, member=member).select_related("member").first()
    if row is None:
        raise ValidationError(texts.NOT_IN_CHAT, code="not_in_chat")
    return row


def member_add(*, actor: User, chat: Chat, member: Membership, source: str = ChatMember.Source.MANUAL) -> ChatMember:
    """A moderator adds a member of the same college (by hand, or by a link the moderator made)."""
    if not permissions.can_moderate(actor, chat) or chat.kind == ChatKind.DIRECT:
        raise PermissionDenied(texts.MODERATE_DENIED)
    if member.college_id != chat.college_id or not member.is_active:
        raise ValidationError(texts.FOREIGN_MEMBER, code="foreign_member")
    if not permissions.member_allowed_in(member, chat):
        raise ValidationError(texts.SAFE_MODE_MEMBER, code="safe_mode")
    with transaction.atomic():
        chat = lock_chat(chat)
        row = ChatMember.objects.filter(chat=chat, member=member).first()
        if row is not None and row.banned:
            raise ValidationError(texts.MEMBER_BANNED, code="banned")
        members_join_unchecked(actor=actor, chat=chat, roles={member.pk: ChatMember.Role.MEMBER}, source=source)
    return ChatMember.objects.get(chat=chat, member=member)


def member_leave(*, actor: User, chat: Chat) -> None:
    """A member leaves a chat themselves. Not from a chat they are in by the roster (the group's, the
    college's): its membership follows the roster, and the next sync would bring them back."""
    row = permissions.viewer_member(actor, chat)
    if row is None or row.left_at is not None:
        raise PermissionDenied(texts.NOT_A_MEMBER)
    if row.source == ChatMember.Source.ROSTER and chat.kind in ROSTER_KINDS:
        raise PermissionDenied(texts.LEAVE_ROSTER)
    with transaction.atomic():
        chat = lock_chat(chat)
        members_leave_unchecked(actor=actor, chat=chat, rows=[row], action="chat.member_leave")
    permissions.forget_chat_roles(actor)


def _moderated_row(actor: User, chat: Chat, member: Membership) -> ChatMember:
    if not permissions.can_moderate(actor, chat):
        raise PermissionDenied(texts.MODERATE_DENIED)
    row = _row_in(chat, member)
    if row.role == ChatMember.Role.OWNER and not permissions.can_manage_chat(actor, chat):
        raise PermissionDenied(texts.CANNOT_MODERATE_OWNER)
    return row


def member_remove(*, actor: User, chat: Chat, member: Membership) -> None:
    row = _moderated_row(actor, chat, member)
    with transaction.atomic():
        chat = lock_chat(chat)
        members_leave_unchecked(actor=actor, chat=chat, rows=[row], action="chat.member_remove")


def member_ban(*, actor: User, chat: Chat, member: Membership) -> ChatMember:
    """Remove and keep out: neither a moderator's «add», a link nor the roster sync brings them back."""
    row = _moderated_row(actor, chat, member)
    with transaction.atomic():
        chat = lock_chat(chat)
        row.banned = True
        row.save(update_fields=["banned"])
        audit_log(actor=actor, college=chat.college, action="chat.member_ban", target=row, after={"chat": chat.pk})
        if row.left_at is None:
            members_leave_unchecked(actor=actor, chat=chat, rows=[row], action="chat.member_remove")
        else:
            announce_removed(chat, row)
    return row


def member_unban(*, actor: User, chat: Chat, member: Membership) -> ChatMember:
    """Lift a ban; the person is not a member again until added (or the next roster sync)."""
    if not permissions.can_moderate(actor, chat):
        raise PermissionDenied(texts.MODERATE_DENIED)
    row = _row_in(chat, member)
    with transaction.atomic():
        row.banned = False
        row.save(update_fields=["banned"])
        audit_log(actor=actor, college=chat.college, action="chat.member_unban", target=row, after={"chat": chat.pk})
    return row


def member_mute(*, actor: User, chat: Chat, member: Membership, until: datetime.datetime | None) -> ChatMember:
    """Forbid writing until ``until`` (None lifts it: ``member_unmute``)."""
    row = _moderated_row(actor, chat, member)
    if until is not None and until <= timezone.now():
        raise ValidationError({"until": texts.MUTE_IN_PAST}, code="past")
    with transaction.atomic():
        before = row.muted_until
        row.muted_until = until
        row.save(update_fields=["muted_until"])
        audit_log(
            actor=actor,
            college=chat.college,
            action="chat.member_mute" if until else "chat.member_unmute",
            target=row,
            before={"muted_until": before},
            after={"muted_until": until, "chat": chat.pk},
        )
        events.publish(
            chat.pk,
            {
                "type": "member.muted",
                "member_id": row.member_id,
                "user_id": row.member.user_id,
                "until": until.isoformat() if until else None,
            },
        )
    return row


def member_unmute(*, actor: User, chat: Chat, member: Membership) -> ChatMember:
    return member_mute(actor=actor, chat=chat, member=member, until=None)


def moderator_set(*, actor: User, chat: Chat, member: Membership, role: str) -> ChatMember:
    """Make a current member an owner, a moderator or a plain member again (owners and the administrator).

    Taking the owner role from the last owner hands ownership on (``common.ensure_owner``).
    """
    if role not in ChatMember.Role.values:
        raise ValidationError({"role": texts.ROLE_UNKNOWN}, code="role")
    if not permissions.can_manage_chat(actor, chat):
        raise PermissionDenied(texts.MANAGE_DENIED)
    row = _row_in(chat, member)
    if not row.is_current:
        raise ValidationError(texts.NOT_IN_CHAT, code="not_in_chat")
    with transaction.atomic():
        chat = lock_chat(chat)
        before = row.role
        row.role = role
        row.save(update_fields=["role"])
        audit_log(
            actor=actor,
            college=chat.college,
            action="chat.member_role",
            target=row,
            before={"role": before},
            after={"role": role, "chat": chat.pk},
        )
        events.publish(
            chat.pk, {"type": "member.role", "member_id": row.member_id, "user_id": row.member.user_id, "role": role}
        )
        ensure_owner(actor=actor, chat=chat)
    permissions.forget_chat_roles(actor)
    return row
