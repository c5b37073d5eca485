"""A chat, live: ``/ws/colleges/<college_id>/chats/<chat_id>/`` (the protocol is in the README).

The socket joins ``chat.<id>`` and the person's ``user.<id>``, forwards the events of ``chats.events`` and
takes three frames: ``typing``, ``read`` and ``post``.

**Authorisation on every event, without a query per event.** ``can_view_chat`` is asked (with the college
membership, by ``colleges.sockets``) on connect. Each later event is authorised from what this socket keeps —
its chat row, current when last read — and that state is dropped by every event that can take the right away:

- the person removed or banned from the chat: ``member.removed`` arrives on the chat's group (in order with
  the chat's messages: nothing posted after the removal is forwarded before it) and on the personal group;
  the socket sends it on and closes with 4403 at once;
- anything else taking a right away (the college membership ended, another of the person's rows changed):
  ``access.changed`` on the personal group (``colleges.sockets.access_changed_send``) or a ``member.*`` event
  naming this person makes the socket ask the database again before it forwards anything more;
- and once ``RECHECK_SECONDS`` (× 1–1.5, drawn per socket so that sockets opened together do not ask together)
  have passed since the last check, the next event asks the database again anyway: the safety net for a
  change that announces itself nowhere.

The events themselves carry what every member sees alike (the message's fragment rendered once by the
publisher), so a message to 500 sockets costs one load and one render. Writes (``post``, ``read``) go through
``chats.services``, which decide from the database as the pages do.
"""

import random
import time

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.dateparse import parse_datetime

from chats import events, permissions, services, texts
from chats.models import Chat, ChatMember
from colleges.sockets import ACCESS_CHANGED, DENIED_CLOSE_CODE, CollegeSocketConsumer

# The safety net: a socket asks the database again on the first event this long after its last check.
RECHECK_SECONDS = 30
# A member's typing is announced at most once per this many seconds per socket.
TYPING_EVERY_SECONDS = 3
ID_MAX = 2**63 - 1

UNKNOWN_FRAME = "Неизвестный запрос: ожидался typing, read или post."
BAD_MESSAGE_ID = "Не указано, какое сообщение прочитано."
BAD_TEXT = "Напишите текст сообщения."


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= ID_MAX


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


class ChatConsumer(CollegeSocketConsumer):
    chat: Chat
    row: ChatMember
    checked_at = 0.0
    typed_at = 0.0
    # 1–1.5 × RECHECK_SECONDS, drawn per socket: 500 sockets opened together do not ask the database together.
    recheck_spread = 1.0

    def is_allowed(self) -> bool:
        """``can_view_chat`` for the chat of the URL, scoped to the college; remembers the viewer's row."""
        permissions.forget_chat_roles(self.user)
        chat_id = self.scope["url_route"]["kwargs"]["chat_id"]
        chat = Chat.objects.filter(pk=chat_id, college=self.college).select_related("college").first()
        if chat is None or not permissions.can_view_chat(self.user, chat):
            return False
        self.chat = chat
        self.row = permissions.viewer_member(self.user, chat)
        self.checked_at = time.monotonic()
        return True

    async def join_groups(self) -> None:
        self.recheck_spread = 1 + random.random() / 2
        await self.join(events.chat_group(self.chat.pk))

    async def authorise(self, message: dict) -> bool:
        """Every event passes here. The database is asked again on ``access.changed``, on a ``member.*`` event
        naming this person on another row, and when the last check is older than ``RECHECK_SECONDS``; otherwise
        the kept row answers (an event removing this row closes the socket in ``chat_event``)."""
        stale = time.monotonic() - self.checked_at > RECHECK_SECONDS * self.recheck_spread
        if message["type"] == ACCESS_CHANGED or stale or not self.row.is_current or self._concerns_another_row(message):
            return await super().authorise(message)
        return True

    def _concerns_another_row(self, message: dict) -> bool:
        event = message.get("event") or {}
        return (
            str(event.get("type", "")).startswith("member.")
            and event.get("user_id") == self.user.pk
            and event.get("member_id") != self.row.member_id
        )

    # ------------------------------------------------------------------ events from the layer

    async def chat_event(self, message: dict) -> None:
        event = message["event"]
        if event.get("chat_id") != self.chat.pk:
            return  # the personal group carries other chats' news too
        kind = event["type"]
        about_me = event.get("member_id") == self.row.member_id
        if kind == "member.removed" and about_me:
            await self.send_json(event)
            self.denied = True
            await self.close(code=DENIED_CLOSE_CODE)
            return
        if kind == "typing" and about_me:
            return  # one's own typing is not news
        if kind == "member.muted" and about_me:
            self.row.muted_until = parse_datetime(event["until"]) if event.get("until") else None
        elif kind == "member.role" and about_me:
            self.row.role = event["role"]
        elif kind == "chat.updated":
            self.chat.status, self.chat.title = event["status"], event["title"]
        else:
            # The same for every member: the publisher's JSON as it is (500 sockets, one encoding).
            await self.send(text_data=message.get("text") or await self.encode_json(event))
            return
        await self.send_json({**event, "refusal": self._refusal()})

    def _refusal(self) -> str | None:
        """``post_refusal`` from the kept row and chat (no query): what the composer says now."""
        self.user.__dict__.setdefault("_chat_members", {})[self.chat.pk] = self.row
        return permissions.post_refusal(self.user, self.chat)

    # ------------------------------------------------------------------ frames from the client

    async def receive_object(self, content: dict) -> None:
        kind = content.get("type")
        if kind == "typing":
            await self._typing()
        elif kind == "read":
            await self._read(content.get("message_id"))
        elif kind == "post":
            await self._post(content.get("text"))
        else:
            await self.send_chat_error(UNKNOWN_FRAME)

    async def send_chat_error(self, message: str) -> None:
        await self.send_json({"type": "error", "chat_id": self.chat.pk, "message": message})

    async def _typing(self) -> None:
        now = time.monotonic()
        if now - self.typed_at < TYPING_EVERY_SECONDS or self._refusal() is not None:
            return
        self.typed_at = now
        event = {"type": "typing", "chat_id": self.chat.pk, "member_id": self.row.member_id}
        await events.apublish_now(events.chat_group(self.chat.pk), {**event, "name": self.user.short_name})

    async def _read(self, message_id) -> None:
        if not _is_id(message_id):
            await self.send_chat_error(BAD_MESSAGE_ID)
            return
        refusal = await database_sync_to_async(self._mark_read)(message_id)
        if refusal:
            await self.send_chat_error(refusal)

    def _mark_read(self, message_id: int) -> str | None:
        permissions.forget_chat_roles(self.user)
        try:
            services.chat_mark_read(actor=self.user, chat=self.chat, up_to_message_id=message_id)
        except PermissionDenied as refused:
            return str(refused) or texts.VIEW_DENIED
        return None

    async def _post(self, text) -> None:
        if not isinstance(text, str):
            await self.send_chat_error(BAD_TEXT)
            return
        message_id, refusal = await database_sync_to_async(self._post_sync)(text)
        if refusal:
            await self.send_chat_error(refusal)
        else:
            await self.send_json({"type": "posted", "chat_id": self.chat.pk, "message_id": message_id})

    def _post_sync(self, text: str) -> tuple[int | None, str | None]:
        """``message_post`` decides from the database (a mute set a second ago counts); its Russian refusal."""
        permissions.forget_chat_roles(self.user)
        try:
            message = services.message_post(actor=self.user, chat=self.chat, text=text)
        except PermissionDenied as refused:
            return None, str(refused) or texts.VIEW_DENIED
        except ValidationError as invalid:
            return None, _errors(invalid)
        finally:
            row = permissions.viewer_member(self.user, self.chat)
            if row is not None:
                self.row = row
        return message.pk, None
