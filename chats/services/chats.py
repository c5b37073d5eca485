"""Chats themselves: creating one, renaming, read-only and archive, direct chats, read markers."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from audit.services import audit_log, model_snapshot
from chats import events, permissions, texts
from chats.formatting import render_message
from chats.models import GROUP_KINDS, HISTORY_VISIBLE_DEFAULT, Chat, ChatKind, ChatMember, Message
from chats.services.common import lock_chat, members_join_unchecked
from colleges.models import College, Membership
from groups.models import Discipline, StudyGroup

CHAT_FIELDS = ["title", "status", "history_visible"]


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": texts.TITLE_REQUIRED}, code="title_required")
    return title[:200]


def chat_create(
    *,
    actor: User,
    college: College,
    kind: str,
    title: str,
    history_visible: bool | None = None,
    study_group: StudyGroup | None = None,
    discipline: Discipline | None = None,
) -> Chat:
    """A chat made by a person (per ``permissions.can_create_chat`` / ``can_create_group_chat``); the creator
    owns it. A group-bound kind that already exists is refused with ``texts.ALREADY_EXISTS``.
    """
    kind = ChatKind(kind)
    if kind == ChatKind.DIRECT:
        raise ValidationError(texts.CREATE_DENIED, code="direct")
    if kind in GROUP_KINDS:
        if study_group is None or study_group.college_id != college.pk:
            raise PermissionDenied(texts.CREATE_DENIED)
        if kind == ChatKind.SUBJECT and (discipline is None or discipline.college_id != college.pk):
            raise PermissionDenied(texts.CREATE_DENIED)
        allowed = permissions.can_create_group_chat(actor, study_group, kind, discipline.pk if discipline else None)
    else:
        study_group = discipline = None
        allowed = permissions.can_create_chat(actor, college, kind)
    if not allowed:
        raise PermissionDenied(texts.CREATE_DENIED)
    creator = (
        Membership.objects.filter(user=actor, college=college, status=Membership.Status.ACTIVE).order_by("id").first()
    )
    chat = Chat(
        college=college,
        kind=kind,
        title=_clean_title(title),
        study_group=study_group,
        discipline=discipline if kind == ChatKind.SUBJECT else None,
        history_visible=HISTORY_VISIBLE_DEFAULT[kind] if history_visible is None else history_visible,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            chat.save()
            audit_log(actor=actor, college=college, action="chat.create", target=chat, after={"kind": kind})
            members_join_unchecked(
                actor=actor, chat=chat, roles={creator.pk: ChatMember.Role.OWNER}, source=ChatMember.Source.MANUAL
            )
    except IntegrityError as exc:
        raise ValidationError(texts.ALREADY_EXISTS, code="exists") from exc
    return chat


def chat_update(*, actor: User, chat: Chat, title: str | None = None, history_visible: bool | None = None) -> Chat:
    if not permissions.can_manage_chat(actor, chat):
        raise PermissionDenied(texts.MANAGE_DENIED)
    with transaction.atomic():
        chat = lock_chat(chat)
        before = model_snapshot(chat, CHAT_FIELDS)
        if title is not None:
            chat.title = _clean_title(title)
        if history_visible is not None:
            chat.history_visible = history_visible
        chat.save(update_fields=["title", "history_visible"])
        after = model_snapshot(chat, CHAT_FIELDS)
        if before != after:
            audit_log(actor=actor, college=chat.college, action="chat.update", target=chat, before=before, after=after)
            events.publish(chat.pk, {"type": "chat.updated", "status": chat.status, "title": chat.title})
    return chat


def chat_set_status_unchecked(*, actor: User | None, chat: Chat, status: str) -> Chat:
    """Read-only, archived or active again; the roster sync calls it for archived groups."""
    status = Chat.Status(status)
    if chat.kind == ChatKind.DIRECT:
        raise ValidationError(texts.DIRECT_NO_STATUS, code="direct")
    with transaction.atomic():
        chat = lock_chat(chat)
        if chat.status == status:
            return chat
        before = chat.status
        chat.status = status
        chat.save(update_fields=["status"])
        text = texts.SYSTEM_STATUS[status]
        Message.objects.create(
            college_id=chat.college_id, chat=chat, kind=Message.Kind.SYSTEM, text=text, text_html=render_message(text)
        )
        audit_log(
            actor=actor,
            college=chat.college,
            action="chat.status",
            target=chat,
            before={"status": before},
            after={"status": status},
        )
        events.publish(chat.pk, {"type": "chat.updated", "status": chat.status, "title": chat.title})
    return chat


def chat_set_status(*, actor: User, chat: Chat, status: str) -> Chat:
    if not permissions.can_manage_chat(actor, chat):
        raise PermissionDenied(texts.MANAGE_DENIED)
    return chat_set_status_unchecked(actor=actor, chat=chat, status=status)


def direct_chat_get_or_create(*, actor: User, college: College, other: Membership) -> Chat:
    """The direct chat of ``actor`` and ``other`` (safe mode: ``permissions.direct_membership_for``).

    One chat per pair of people in a college, whichever of them opens it first (a unique index decides a race).
    """
    mine = permissions.direct_membership_for(actor, college, other)
    if mine is None:
        raise PermissionDenied(texts.DIRECT_DENIED)
    low, high = sorted((mine.user_id, other.user_id))
    key = f"{low}:{high}"
    existing = Chat.objects.filter(college=college, kind=ChatKind.DIRECT, direct_key=key).first()
    if existing is not None:
        with transaction.atomic():
            chat = lock_chat(existing)
            members_join_unchecked(
                actor=actor,
                chat=chat,
                roles={mine.pk: ChatMember.Role.MEMBER, other.pk: ChatMember.Role.MEMBER},
                source=ChatMember.Source.MANUAL,
            )
        return existing
    title = f"{mine.user.short_name} — {other.user.short_name}"
    try:
        with transaction.atomic():
            chat = Chat.objects.create(
                college=college, kind=ChatKind.DIRECT, title=title[:200], direct_key=key, created_by=actor
            )
            members_join_unchecked(
                actor=actor,
                chat=chat,
                roles={mine.pk: ChatMember.Role.MEMBER, other.pk: ChatMember.Role.MEMBER},
                source=ChatMember.Source.MANUAL,
                announce=False,
            )
            audit_log(actor=actor, college=college, action="chat.direct_create", target=chat)
    except IntegrityError:
        return Chat.objects.get(college=college, kind=ChatKind.DIRECT, direct_key=key)
    return chat


def chat_mark_read(*, actor: User, chat: Chat, up_to_message_id: int) -> ChatMember:
    """Move the reader's marker forward to ``up_to_message_id`` (never back); no audit (not a change of data
    anyone answers for), a ``chat.read`` event to the reader's other devices."""
    row = permissions.viewer_member(actor, chat)
    if row is None or not permissions.can_view_chat(actor, chat):
        raise PermissionDenied(texts.VIEW_DENIED)
    if up_to_message_id <= row.last_read_message_id:
        return row  # already read that far (the chat page reopened): nothing to look up or move
    last = Message.objects.filter(chat=chat, pk__lte=up_to_message_id).order_by("-pk").values_list("pk", flat=True)
    target = last.first() or 0
    if target > row.last_read_message_id:
        ChatMember.objects.filter(pk=row.pk, last_read_message_id__lt=target).update(last_read_message_id=target)
        row.last_read_message_id = target
        events.publish_to_user(
            actor.pk,
            {"type": "chat.read", "chat_id": chat.pk, "member_id": row.member_id, "last_read_message_id": target},
        )
    return row
