"""The base of every WebSocket consumer: JSON frames, answers to bad input in Russian, group bookkeeping.

A frame that is not JSON, is too long, or is not a JSON object gets ``{"error": "…"}`` back and the
connection stays open: a client's mistake never ends in the server's 1011 («internal error»).
Groups joined through ``join`` are left when the connection closes, whoever closed it.

Handlers read the database only through ``channels.db.database_sync_to_async``, which closes a stale
connection before and after its call: ``dispatch`` does not do it again before every event (see there).
"""

import json

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer

# A frame longer than this is refused unread: a chat message's text is far shorter.
MAX_FRAME_CHARS = 16 * 1024

NOT_JSON = "Сообщение не разобрано: ожидался JSON."
NOT_AN_OBJECT = "Сообщение не разобрано: ожидался объект JSON в фигурных скобках."
TOO_LONG = "Сообщение слишком длинное."
BINARY_REFUSED = "Принимаются только текстовые сообщения."


class JsonSocketConsumer(AsyncJsonWebsocketConsumer):
    """Subclasses implement ``receive_object(content: dict)`` and handlers of their group events."""

    max_frame_chars = MAX_FRAME_CHARS

    async def dispatch(self, message):
        """Channels' dispatch without the step it takes before every handler, ``aclose_old_connections``: a
        round trip through the one thread of the database calls, per socket and per event — most of a group
        event's cost when it is forwarded to hundreds of sockets (bench/chat_fanout.py). A handler that reads
        the database does it through ``database_sync_to_async``, which tends the connection itself, and
        Channels still closes old connections once when the socket ends."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            await self.send_error(BINARY_REFUSED)
            return
        if len(text_data) > self.max_frame_chars:
            await self.send_error(TOO_LONG)
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.send_error(NOT_JSON)
            return
        if not isinstance(content, dict):
            await self.send_error(NOT_AN_OBJECT)
            return
        await self.receive_object(content)

    async def receive_object(self, content: dict) -> None:
        raise NotImplementedError

    async def send_error(self, message: str) -> None:
        await self.send_json({"error": message})

    @classmethod
    async def encode_json(cls, content):
        # Russian text as it is, not \\u escapes: shorter frames, readable in the browser's tools.
        return json.dumps(content, ensure_ascii=False)

    async def join(self, group: str) -> None:
        """Receive the events sent to ``group`` until ``leave`` or the end of the connection."""
        if group not in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups.append(group)

    async def leave(self, group: str) -> None:
        if group in self.groups:
            await self.channel_layer.group_discard(group, self.channel_name)
            self.groups.remove(group)
