"""Web Push for chats: a mention or a direct message reaches the recipient's devices, and each member turns
a chat's notifications on or off («Уведомления этого чата»).

``message_push`` runs in ``chats.tasks.push_message``, queued when the post commits, so posting stays as fast
as before. It is safe to run twice: ``notifications.push.push_notify`` sends one notification per device for
one ``idempotency_key`` («chat-message:<id>»). A message deleted before the task ran pushes nothing, and the
body never carries more than the start of the text as typed (no markup).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import NoReverseMatch, reverse

from accounts.models import User
from audit.services import audit_log
from chats import permissions, texts
from chats.models import Chat, ChatKind, ChatMember, Message, MessageMention
from notifications.push import push_notify

BODY_CHARS = 140


def chat_push_set(*, actor: User, chat: Chat, enabled: bool) -> ChatMember:
    """The actor's own «Уведомления этого чата: вкл/выкл» for ``chat`` (a current member only)."""
    row = permissions.viewer_member(actor, chat)
    if not permissions.can_view_chat(actor, chat):
        raise PermissionDenied(texts.NOT_A_MEMBER)
    with transaction.atomic():
        updated = ChatMember.objects.filter(pk=row.pk).exclude(push_enabled=enabled).update(push_enabled=enabled)
        if updated:
            audit_log(
                actor=actor,
                college=chat.college,
                action="chat.push_on" if enabled else "chat.push_off",
                target=row,
                before={"push_enabled": not enabled},
                after={"push_enabled": enabled, "chat": chat.pk},
            )
    row.push_enabled = enabled
    return row


def chat_path(chat: Chat) -> str:
    """The chat page's path (``chats:chat``), or ``/chats/<id>/`` while no page is routed."""
    try:
        return reverse("chats:chat", kwargs={"pk": chat.pk})
    except NoReverseMatch:
        return f"/chats/{chat.pk}/"


def push_body(message: Message) -> str:
    """The start of the text on one line, or a word for a message of files only."""
    text = " ".join((message.text or "").split())
    if not text:
        return texts.PUSH_ATTACHMENT_ONLY
    return text if len(text) <= BODY_CHARS else text[: BODY_CHARS - 1].rstrip() + "…"


def _recipient_rows(message: Message):
    """Current members with push on who are mentioned or, in a direct chat, the other person; never the author."""
    rows = ChatMember.objects.filter(
        chat_id=message.chat_id, left_at__isnull=True, banned=False, push_enabled=True
    ).exclude(member_id=message.author_id)
    if message.chat.kind != ChatKind.DIRECT:
        mentioned = MessageMention.objects.filter(message=message).values("member_id")
        rows = rows.filter(member_id__in=mentioned)
    return rows.exclude(member__user_id=message.author.user_id)


def message_push(*, message_id: int) -> int:
    """Push a posted message to whom it concerns; how many deliveries were queued (0 when push is off)."""
    message = (
        Message.objects.select_related("chat", "author__user").filter(pk=message_id, kind=Message.Kind.TEXT).first()
    )
    if message is None or message.is_deleted or message.author is None:
        return 0
    chat = message.chat
    user_ids = list(_recipient_rows(message).values_list("member__user_id", flat=True))
    if not user_ids:
        return 0
    author = message.author.user.short_name
    title = author if chat.kind == ChatKind.DIRECT else texts.PUSH_TITLE.format(author=author, chat=chat.title)
    return push_notify(
        user_ids=user_ids,
        title=title,
        body=push_body(message),
        url=chat_path(chat),
        tag=f"chat-{chat.pk}",
        idempotency_key=f"chat-message:{message.pk}",
    )
