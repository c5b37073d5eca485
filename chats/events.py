"""Live events of chats: the one way the services tell open sockets what changed.

``publish(chat_id, event)`` sends ``event`` to the channel-layer group ``chat.<chat_id>`` after the
current transaction commits (``transaction.on_commit(..., robust=True)``); a channel layer that is down
is logged and never fails the request — the page still shows the change on reload.
``publish_to_user(user_id, event)`` does the same for the personal group ``user.<user_id>``.

The message the layer carries is ``{"type": "chat.event", "event": <event>, "text": <event as JSON>}``: a
consumer handles it in ``chat_event(self, message)``, checks the person may still see the chat, and sends
``text`` (encoded once by the publisher, not once per socket), or ``event`` with the viewer's own additions.

Events (every one has ``type`` and ``chat_id``; ids are integers, times ISO 8601 with a zone):

The ``message.*`` events and ``reaction.changed`` carry ``html``: the message's ``<li>`` fragment from
``chats.fragments`` (the renderer of the chat page's rows too), rendered ONCE by the publisher after commit
from ``chats.selectors.message_broadcast`` (the same for every member: the fragment has no per-viewer
branches), so a fan-out to 500 sockets costs one load and one render, not 500. The consumer forwards it only
to sockets it still authorises (chats/consumers.py).
``html`` is null when the render failed (the database went away after commit): the page shows it on reload.

- ``message.new``      ``{"type", "chat_id", "message_id", "author_id", "html"}`` — a message was posted;
- ``message.edited``   ``{"type", "chat_id", "message_id", "edited_at", "html"}``;
- ``message.deleted``  ``{"type", "chat_id", "message_id", "moderated": bool, "html"}`` — ``html`` is the
  placeholder «Сообщение удалено» (or «… модератором»): no text of a deleted message is ever sent;
- ``message.pinned``   ``{"type", "chat_id", "message_id", "pinned": bool, "html"}``;
- ``reaction.changed`` ``{"type", "chat_id", "message_id", "emoji", "member_id", "added": bool, "html"}``;
- ``member.added``     ``{"type", "chat_id", "member_id", "user_id"}``;
- ``member.removed``   ``{"type", "chat_id", "member_id", "user_id", "banned": bool}`` — also sent to
  ``user.<user_id>``, so that person's open sockets drop the chat at once;
- ``member.muted``     ``{"type", "chat_id", "member_id", "user_id", "until": time or null}`` (null: unmuted);
- ``member.role``      ``{"type", "chat_id", "member_id", "user_id", "role"}``;
- ``chat.updated``     ``{"type", "chat_id", "status", "title"}`` — renamed, read-only, archived or reopened;
- ``chat.read``        ``{"type", "chat_id", "member_id", "last_read_message_id"}`` — sent to ``user.<id>``
  only, so the person's other devices clear the unread badge;
- ``typing``           ``{"type", "chat_id", "member_id", "name"}`` — sent by the consumer itself (through
  ``apublish_now``) when a member types; never stored.
"""

import json
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


# Events whose subject is one message: the publisher adds its rendered fragment (``html``).
MESSAGE_EVENTS = frozenset({"message.new", "message.edited", "message.deleted", "message.pinned", "reaction.changed"})


def message_html(chat_id: int, message_id: int) -> str | None:
    """The message's fragment as every member sees it (``chats.fragments``), or None when it is gone."""
    from chats.fragments import message_fragment
    from chats.selectors import message_broadcast

    message = message_broadcast(chat_id, message_id)
    if message is None:
        return None
    return message_fragment(message, message.chat).strip()


def with_html(event: dict) -> dict:
    """``event`` with its message's fragment when it is a message event; a render that fails is logged and
    leaves ``html`` null (the event still goes: the page shows the message on reload)."""
    if event.get("type") not in MESSAGE_EVENTS:
        return event
    try:
        html = message_html(event["chat_id"], event["message_id"])
    except Exception:  # noqa: BLE001 (the database went away after commit: the saved change stands)
        logger.warning("chat event not rendered", extra={"event_type": event.get("type")})
        html = None
    return {**event, "html": html}


async def apublish_now(group: str, event: dict) -> None:
    """Send at once from async code (the consumer's typing events); a layer that is down is logged."""
    assert event.get("type") in EVENT_TYPES, event
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        # ``text``: the event as JSON, encoded once here; a socket forwarding it unchanged sends it as it is.
        text = json.dumps(event, ensure_ascii=False)
        await layer.group_send(group, {"type": "chat.event", "event": event, "text": text})
    except Exception:  # noqa: BLE001 (Redis down or the group full: the change is saved; reload shows it)
        logger.warning("chat event not delivered", extra={"group": group, "event_type": event.get("type")})


def publish(chat_id: int, event: dict) -> None:
    """Send ``event`` to the chat's group once the current transaction commits (a message event rendered
    then, once, for all)."""
    publish_many([(chat_group(chat_id), {**event, "chat_id": chat_id})])


def publish_to_user(user_id: int, event: dict) -> None:
    """Send ``event`` to one person's sockets once the current transaction commits."""
    publish_many([(user_group(user_id), event)])


def publish_many(sends: list[tuple[str, dict]]) -> None:
    """Send each (group, event) once the current transaction commits, in order, all in one callback and one
    trip to the event loop — the one way the services publish: a roster sync adding 500 members announces them
    at the cost of one event, not 500 (each ``async_to_sync`` from a worker's thread starts an event loop and a
    channel-layer connection of its own). Message events get their fragment (``with_html``) after the commit,
    before the loop is entered: rendering reads the database."""
    if not sends:
        return

    def send_committed() -> None:
        ready = [(group, with_html(event)) for group, event in sends]

        async def send_all() -> None:
            for group, event in ready:
                await apublish_now(group, event)

        async_to_sync(send_all)()

    transaction.on_commit(send_committed, robust=True)
