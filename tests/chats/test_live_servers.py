"""Two ASGI server processes sharing the Redis channel layer (``asgi_server_pair``): a chat message posted
through one — by a member's socket, or by a service call in a third process — reaches a member on the other."""

import aiohttp
import pytest
from asgiref.sync import sync_to_async

from chats import services
from tests.sockets.test_two_servers import TIMEOUT, _handshake

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("async_db_connections"),
]


@pytest.fixture
def shared_layer(settings):
    """This process on the servers' layer (the settings' Redis layer, its default prefix)."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": settings.CHANNEL_LAYER_BACKENDS[settings.CHANNEL_LAYER],
            "CONFIG": {"hosts": [settings.REDIS_URL]},
        }
    }


@pytest.fixture
def chat(world):
    return world.group_chat


async def _next(ws, kind: str) -> dict:
    while True:
        frame = await ws.receive_json(timeout=TIMEOUT)
        if frame.get("type") == kind:
            return frame


async def test_a_message_posted_through_one_server_reaches_a_member_on_the_other(
    asgi_server_pair, world, chat, socket_headers
):
    server_a, server_b = asgi_server_pair
    reader_headers, writer_headers = await sync_to_async(
        lambda: (socket_headers(world.students[0].user), socket_headers(world.students[1].user))
    )()
    path = f"/ws/colleges/{chat.college_id}/chats/{chat.pk}/"
    async with aiohttp.ClientSession() as http:
        async with (
            http.ws_connect(f"{server_a}{path}", headers=_handshake(server_a, reader_headers)) as on_a,
            http.ws_connect(f"{server_b}{path}", headers=_handshake(server_b, writer_headers)) as on_b,
        ):
            await on_b.send_json({"type": "post", "text": "Через второй сервер"})
            posted = await _next(on_b, "posted")
            received = await _next(on_a, "message.new")

    assert received["message_id"] == posted["message_id"]
    assert "Через второй сервер" in received["html"]


async def test_a_service_call_in_a_third_process_reaches_members_on_both_servers(
    asgi_server_pair, shared_layer, world, chat, socket_headers
):
    server_a, server_b = asgi_server_pair
    headers = await sync_to_async(
        lambda: (socket_headers(world.students[0].user), socket_headers(world.students[1].user))
    )()
    path = f"/ws/colleges/{chat.college_id}/chats/{chat.pk}/"
    async with aiohttp.ClientSession() as http:
        async with (
            http.ws_connect(f"{server_a}{path}", headers=_handshake(server_a, headers[0])) as on_a,
            http.ws_connect(f"{server_b}{path}", headers=_handshake(server_b, headers[1])) as on_b,
        ):
            message = await sync_to_async(services.message_post)(
                actor=world.curator.user, chat=chat, text="Собрание группы в четверг"
            )
            on_first, on_second = await _next(on_a, "message.new"), await _next(on_b, "message.new")

    assert on_first["message_id"] == on_second["message_id"] == message.pk
    assert "Собрание группы в четверг" in on_first["html"]


async def test_a_member_removed_in_a_third_process_is_closed_on_the_server_holding_their_socket(
    asgi_server_pair, shared_layer, world, chat, socket_headers
):
    server_a, _ = asgi_server_pair
    headers = await sync_to_async(socket_headers)(world.students[0].user)
    path = f"/ws/colleges/{chat.college_id}/chats/{chat.pk}/"
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(f"{server_a}{path}", headers=_handshake(server_a, headers)) as on_a:
            await sync_to_async(services.member_remove)(actor=world.curator.user, chat=chat, member=world.students[0])
            told = await _next(on_a, "member.removed")
            closing = await on_a.receive(timeout=TIMEOUT)

    assert told["member_id"] == world.students[0].pk
    assert closing.type == aiohttp.WSMsgType.CLOSE and closing.data == 4403
