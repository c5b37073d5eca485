"""Live events of chats: the one way the services tell open sockets what changed.

``publish(chat_id, event)`` sends ``event`` to the channel-layer group ``chat.<chat_id>`` after the
current transaction commits (``transaction.on_commit(..., robust=True)``); a channel layer that is down
is logged and never fails the request — the page still shows the change on reload.
``publish_to_user(user_id, event)`` does the same for the personal group ``user.<user_id>``.

The message the layer carries is ``{"type": "chat.event", "event": <event>}``: a consumer handles it in
``chat_event(self, message)``, checks the person may still see the chat, and sends ``event`` as JSON.

Events (every one has ``type`` and ``chat_id``; ids are integers, times ISO 8601 with a zone):

- ``message.new``      ``{"type", "chat_id", "message_id", "author_id"}`` — a message was posted; the
  consumer loads it through ``chats.selectors.message_for(viewer, chat, id)`` and renders it for the viewer
  (texts are not broadcast, so a member who may no longer see the chat never receives one);
- ``message.edited``   ``{"type", "chat_id", "message_id", "edited_at"}``;
- ``message.deleted``  ``{"type", "chat_id", "message_id", "moderated": bool}`` — show «Сообщение удалено»
  (or «… модератором»); the text is gone for members;
- ``message.pinned``   ``{"type", "chat_id", "message_id", "pinned": bool}``;
- ``reaction.changed`` ``{"type", "chat_id", "message_id", "emoji", "member_id", "added": bool}``;
- ``member.added``     ``{"type", "chat_id", "member_id", "user_id"}``;
- ``member.removed``   ``{"type", "chat_id", "member_id", "user_id", "banned": bool}`` — also sent to
  ``user.<user_id>``, so that person's open sockets drop the chat at once;
- ``member.muted``     ``{"type", "chat_id", "member_id", "user_id", "until": time or null}`` (null: unmuted);
- ``member.role``      ``{"type", "chat_id", "member_id", "user_id", "role"}``;
- ``chat.updated``     ``{"type", "chat_id", "status", "title"}`` — renamed, read-only, archived or reopened;
- ``chat.read``        ``{"type", "chat_id", "member_id", "last_read_message_id"}`` — sent to ``user.<id>``
  only, so the person's other devices clear the unread badge;
- ``typing``           ``{"type", "chat_id", "member_id", "name"}`` — sent by the consumer itself (through
  ``publish_now``) when a member types; never stored.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

EVENT_TYPES = frozenset(
    {
        "message.new",
        "message.edited",
        "message.deleted",
        "message.pinned",
        "reaction.changed",
        "member.added",
        "member.removed",
        "member.muted",
        "member.role",
        "chat.updated",
        "chat.read",
        "typing",
    }
)


def chat_group(chat_id: int) -> str:
    return f"chat.{chat_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def publish_now(group: str, event: dict) -> None:
    """Send at once (the consumer's typing events); a layer that is down is logged, not raised."""
    assert event.get("type") in EVENT_TYPES, event
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": "chat.event", "event": event})
    except Exception:  # noqa: BLE001 (Redis down or the group full: the change is saved; reload shows it)
        logger.warning("chat event not delivered", extra={"group": group, "event_type": event.get("type")})


def publish(chat_id: int, event: dict) -> None:
    """Send ``event`` to the chat's group once the current transaction commits."""
    event = {**event, "chat_id": chat_id}
    transaction.on_commit(lambda: publish_now(chat_group(chat_id), event), robust=True)


def publish_to_user(user_id: int, event: dict) -> None:
    """Send ``event`` to one person's sockets once the current transaction commits."""
    transaction.on_commit(lambda: publish_now(user_group(user_id), event), robust=True)
