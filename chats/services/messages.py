"""Messages: posting (text, reply, attachments, mentions), editing, deleting one's own, pins, reactions."""

import re
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from audit.services import audit_log
from chats import events, permissions, texts
from chats.formatting import mention_names, render_message
from chats.models import Chat, ChatMember, Message, MessageAttachment, MessageMention, MessageReaction, Reaction
from chats.services.common import history_changed
from core.files import clean_original_name, detect_file

MAX_TEXT = 4000
MAX_ATTACHMENTS = 10
_MENTION_START = re.compile(r"@(\w[\w-]*)(?:\s+(\w[\w-]*))?")


def _mentioned(chat: Chat, text: str, given_ids: Iterable[int]) -> tuple[list[int], dict[int, list[str]]]:
    """Member ids mentioned: those given (the picker) and «@Фамилия Имя» / «@Фамилия» of current members;
    with the @-names of each (``mention_names``), for the stored HTML.

    A bare surname shared by two members mentions neither (it is ambiguous); the full form still works.
    """
    given = {int(i) for i in given_ids}
    words = _MENTION_START.findall(text or "")
    if not given and not words:
        return [], {}
    rows = ChatMember.objects.filter(chat=chat, left_at__isnull=True, banned=False).select_related("member__user")
    by_name: dict[str, set[int]] = {}
    names_of: dict[int, list[str]] = {}
    for row in rows:
        names_of[row.member_id] = mention_names(row.member.user)
        for name in names_of[row.member_id]:
            by_name.setdefault(name.lower(), set()).add(row.member_id)
    found = {member_id for member_id in given if member_id in names_of}
    for first, second in words:
        full = by_name.get(f"{first} {second}".lower()) if second else None
        candidates = full if full and len(full) == 1 else by_name.get(first.lower(), set())
        if len(candidates) == 1:
            found |= candidates
    return sorted(found), {member_id: names_of[member_id] for member_id in found}


def _html(text: str, names_of: dict[int, list[str]], saved_ids: Iterable[int]) -> str:
    """The stored HTML of ``text``: what ``chats.selectors`` rendered per view before, with the mentions saved."""
    return render_message(text, {name: i for i in saved_ids for name in names_of.get(i, ())})


def _check_text(text: str, *, attachments: bool) -> str:
    text = (text or "").strip()
    if not text and not attachments:
        raise ValidationError({"text": texts.EMPTY_MESSAGE}, code="empty")
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": texts.MESSAGE_TOO_LONG.format(limit=MAX_TEXT)}, code="too_long")
    return text


def _checked_files(uploads: list[UploadedFile]) -> list[tuple[UploadedFile, str, str, str]]:
    """(file, shown name, content type, extension) of each upload, all checked before anything is stored."""
    if len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": texts.TOO_MANY_ATTACHMENTS.format(limit=MAX_ATTACHMENTS)})
    checked = []
    for uploaded in uploads:
        raw_name = getattr(uploaded, "name", "") or "файл"
        shown = clean_original_name(raw_name, extension="x").rsplit(".", 1)[0]
        try:
            detected = detect_file(uploaded, name=shown, max_bytes=settings.CHAT_ATTACHMENT_MAX_BYTES)
        except ValidationError as error:
            raise ValidationError({"attachments": error.messages}, code=error.code) from None
        name = clean_original_name(raw_name, extension=detected.extension)
        checked.append((uploaded, name, detected.content_type, detected.extension))
    return checked


def _save_mentions(message: Message, member_ids: list[int]) -> None:
    MessageMention.objects.bulk_create([MessageMention(message=message, member_id=i) for i in member_ids])


def message_post(
    *,
    actor: User,
    chat: Chat,
    text: str,
    reply_to: Message | None = None,
    attachments: Iterable[UploadedFile] = (),
    mention_ids: Iterable[int] = (),
) -> Message:
    """Post a message. Refused (PermissionDenied with the reason) for a non-member, one who left or was
    banned, one muted until a time, a read-only or archived chat, a channel for a non-moderator.

    Attachments are checked by content (``core.files``, as materials) and stored privately; if the
    transaction rolls back after a file was stored, the bytes stay without a row and are never served.
    """
    refusal = permissions.post_refusal(actor, chat)
    if refusal:
        raise PermissionDenied(refusal)
    uploads = list(attachments)
    text = _check_text(text, attachments=bool(uploads))
    if reply_to is not None and reply_to.chat_id != chat.pk:
        raise ValidationError({"reply_to": texts.REPLY_ELSEWHERE}, code="reply_elsewhere")
    checked = _checked_files(uploads)
    author = permissions.viewer_member(actor, chat)
    mentioned, names_of = _mentioned(chat, text, mention_ids)
    saved = [i for i in mentioned if i != author.member_id]
    with transaction.atomic():
        message = Message.objects.create(
            college_id=chat.college_id,
            chat=chat,
            author_id=author.member_id,
            text=text,
            text_html=_html(text, names_of, saved),
            reply_to=reply_to,
        )
        for uploaded, name, content_type, extension in checked:
            record = MessageAttachment(
                college_id=chat.college_id,
                message=message,
                original_name=name,
                content_type=content_type,
                size=uploaded.size,
            )
            record.file.save(f"upload.{extension}", uploaded, save=False)
            record.save()
        _save_mentions(message, saved)
        Chat.objects.filter(pk=chat.pk).update(
            last_message_at=message.created_at, history_version=F("history_version") + 1
        )
        ChatMember.objects.filter(pk=author.pk).update(last_read_message_id=message.pk)
        audit_log(
            actor=actor,
            college=chat.college,
            action="chat.message_post",
            target=message,
            after={"chat": chat.pk, "attachments": len(checked), "mentions": mentioned},
            drops_pages=False,
        )
        events.publish(chat.pk, {"type": "message.new", "message_id": message.pk, "author_id": author.member_id})
        transaction.on_commit(lambda: _queue_push(message.pk), robust=True)
    return message


def _queue_push(message_id: int) -> None:
    from chats.tasks import push_message

    push_message.delay(message_id)


def messages_post_many_unchecked(
    *, actor: User | None, chat: Chat, posts: Sequence[tuple[int, str]], batch_size: int = 5000
) -> int:
    """Many text messages at once, ``posts`` as (author's Membership pk, text): a history moved in from
    elsewhere, or the benchmark's (bench/chat_history.py). The caller decided; the authors must be members
    of ``chat``'s college (not checked row by row). No mentions, no live events (nobody is told of old news);
    one audit event with the count. Returns how many were written."""
    rows = [
        Message(college_id=chat.college_id, chat=chat, author_id=author, text=text, text_html=render_message(text))
        for author, text in posts
    ]
    if not rows:
        return 0
    with transaction.atomic():
        created = Message.objects.bulk_create(rows, batch_size=batch_size)
        Chat.objects.filter(pk=chat.pk).update(last_message_at=timezone.now(), history_version=F("history_version") + 1)
        audit_log(
            actor=actor,
            college=chat.college,
            action="chat.messages_import",
            target=chat,
            after={"count": len(created)},
            drops_pages=False,
        )
    return len(created)


def message_edit(*, actor: User, message: Message, text: str) -> Message:
    """The author changes their text within ``settings.CHAT_EDIT_WINDOW_MINUTES``; mentions follow the new text."""
    if not permissions.can_edit_message(actor, message):
        raise PermissionDenied(texts.EDIT_DENIED.format(minutes=settings.CHAT_EDIT_WINDOW_MINUTES))
    has_files = message.attachments.exists()
    text = _check_text(text, attachments=has_files)
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        before = message.text
        mentioned, names_of = _mentioned(message.chat, text, ())
        saved = [i for i in mentioned if i != message.author_id]
        message.text, message.text_html = text, _html(text, names_of, saved)
        message.edited_at = timezone.now()
        message.save(update_fields=["text", "text_html", "edited_at"])
        MessageMention.objects.filter(message=message).delete()
        _save_mentions(message, saved)
        audit_log(
            actor=actor,
            college=message.chat.college,
            action="chat.message_edit",
            target=message,
            before={"text": before},
            after={"text": text},
            drops_pages=False,
        )
        history_changed(message.chat_id)
        events.publish(
            message.chat_id,
            {"type": "message.edited", "message_id": message.pk, "edited_at": message.edited_at.isoformat()},
        )
    return message


def message_delete(*, actor: User, message: Message) -> Message:
    """The author deletes their own message: hidden from everyone («Сообщение удалено»), kept for the audit."""
    if not permissions.can_delete_message(actor, message):
        raise PermissionDenied(texts.DELETE_DENIED)
    with transaction.atomic():
        updated = Message.objects.filter(pk=message.pk, deleted_at__isnull=True).update(
            deleted_at=timezone.now(), deleted_by=actor
        )
        if not updated:
            raise ValidationError(texts.ALREADY_DELETED, code="deleted")
        message.refresh_from_db()
        audit_log(
            actor=actor, college=message.chat.college, action="chat.message_delete", target=message, drops_pages=False
        )
        history_changed(message.chat_id)
        events.publish(message.chat_id, {"type": "message.deleted", "message_id": message.pk, "moderated": False})
    return message


def message_pin(*, actor: User, message: Message, pinned: bool = True) -> Message:
    if not permissions.can_moderate(actor, message.chat) or message.is_deleted:
        raise PermissionDenied(texts.MODERATE_DENIED)
    with transaction.atomic():
        message.pinned_at = timezone.now() if pinned else None
        message.pinned_by = actor if pinned else None
        message.save(update_fields=["pinned_at", "pinned_by"])
        audit_log(
            actor=actor,
            college=message.chat.college,
            action="chat.message_pin" if pinned else "chat.message_unpin",
            target=message,
            drops_pages=False,
        )
        history_changed(message.chat_id)
        events.publish(message.chat_id, {"type": "message.pinned", "message_id": message.pk, "pinned": pinned})
    return message


def reaction_toggle(*, actor: User, message: Message, emoji: str) -> bool:
    """Add the reaction, or take it back when it is there; True when it is there afterwards."""
    if emoji not in Reaction.values:
        raise ValidationError({"emoji": texts.REACTION_UNKNOWN}, code="unknown")
    if not permissions.can_react(actor, message.chat) or message.is_deleted:
        raise PermissionDenied(texts.VIEW_DENIED)
    member_id = permissions.viewer_member(actor, message.chat).member_id
    with transaction.atomic():
        removed, _ = MessageReaction.objects.filter(message=message, member_id=member_id, emoji=emoji).delete()
        if not removed:
            try:
                with transaction.atomic():
                    MessageReaction.objects.create(message=message, member_id=member_id, emoji=emoji)
            except IntegrityError:
                pass  # the same tap twice at once: one row is enough
        audit_log(
            actor=actor,
            college=message.chat.college,
            action="chat.reaction_remove" if removed else "chat.reaction_add",
            target=message,
            after={"emoji": emoji},
            drops_pages=False,
        )
        history_changed(message.chat_id)
        events.publish(
            message.chat_id,
            {
                "type": "reaction.changed",
                "message_id": message.pk,
                "emoji": emoji,
                "member_id": member_id,
                "added": not removed,
            },
        )
    return not removed
