"""The shell's WebSockets: ``/ws/ping/``, the bare echo health checks and bench/chat_fanout.py use,
and ``/ws/colleges/<college_id>/ping/``, the same through the college socket base (a signed-in member).

A JSON object sent comes back with ``server_time`` (Unix seconds) added. ``{"broadcast": …}`` is not
echoed: it goes through the channel layer to every socket of the same endpoint (every pinger; the
college's members on the college one), in every server process sharing the Redis layer.
"""

import time

from colleges.sockets import CollegeSocketConsumer
from core.sockets import JsonSocketConsumer

PING_GROUP = "ping"


class _Echo:
    group: str

    async def receive_object(self, content: dict) -> None:
        if "broadcast" in content:
            message = {"type": "ping.broadcast", "broadcast": content["broadcast"], "server_time": time.time()}
            await self.channel_layer.group_send(self.group, message)
            return
        await self.send_json({**content, "server_time": time.time()})

    async def ping_broadcast(self, event) -> None:
        await self.send_json({"broadcast": event["broadcast"], "server_time": event["server_time"]})


class PingConsumer(_Echo, JsonSocketConsumer):
    """Anyone may ping (a health check signs in as no one); the frame limit bounds what a broadcast carries."""

    group = PING_GROUP
    max_frame_chars = 1024

    async def connect(self):
        # The group first: a broadcast sent once the client sees the socket open reaches it.
        await self.join(self.group)
        await self.accept()


class CollegePingConsumer(_Echo, CollegeSocketConsumer):
    """A member's echo: proves the session, the college and the predicate checks of the socket base."""

    max_frame_chars = 1024

    async def join_groups(self) -> None:
        self.group = f"college.{self.college.pk}.ping"
        await self.join(self.group)

    async def receive_object(self, content: dict) -> None:
        if "broadcast" not in content:
            content = {**content, "user_id": self.user.pk, "college_id": self.college.pk}
        await super().receive_object(content)
