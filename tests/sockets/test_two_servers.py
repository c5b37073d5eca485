"""Two ASGI server processes sharing the Redis channel layer: what one sends reaches a socket on the other."""

import asyncio

import aiohttp
import pytest
from asgiref.sync import sync_to_async

from colleges.models import Membership, Role
from colleges.sockets import DENIED_CLOSE_CODE, access_changed_send
from tests import factories

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("async_db_connections"),
]

TIMEOUT = 10


def _handshake(base_url: str, headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """aiohttp's headers from ``socket_headers``'s, the origin made this server's."""
    named = {name.decode(): value.decode() for name, value in headers}
    named["origin"] = base_url.replace("ws://", "http://")
    return named


@pytest.fixture
def member(college):
    return factories.MembershipFactory(college=college, role=Role.TEACHER).user


@pytest.fixture
def colleague(college):
    return factories.MembershipFactory(college=college, role=Role.TEACHER).user


async def test_a_broadcast_sent_through_one_process_reaches_a_pinger_on_the_other(asgi_server_pair):
    server_a, server_b = asgi_server_pair
    async with aiohttp.ClientSession() as http:
        async with (
            http.ws_connect(f"{server_a}/ws/ping/", headers=_handshake(server_a, [])) as on_a,
            http.ws_connect(f"{server_b}/ws/ping/", headers=_handshake(server_b, [])) as on_b,
        ):
            await on_b.send_json({"broadcast": "через процесс B"})

            received = await on_a.receive_json(timeout=TIMEOUT)

    assert received["broadcast"] == "через процесс B"


async def test_a_signed_in_member_on_one_process_receives_a_colleagues_broadcast_from_the_other(
    asgi_server_pair, college, member, colleague, socket_headers
):
    server_a, server_b = asgi_server_pair
    member_headers, colleague_headers = await sync_to_async(
        lambda: (socket_headers(member), socket_headers(colleague))
    )()
    path = f"/ws/colleges/{college.pk}/ping/"
    async with aiohttp.ClientSession() as http:
        async with (
            http.ws_connect(f"{server_a}{path}", headers=_handshake(server_a, member_headers)) as on_a,
            http.ws_connect(f"{server_b}{path}", headers=_handshake(server_b, colleague_headers)) as on_b,
        ):
            await on_b.send_json({"n": 1})
            echo = await on_b.receive_json(timeout=TIMEOUT)
            await on_b.send_json({"broadcast": "педсовет перенесён"})

            received = await on_a.receive_json(timeout=TIMEOUT)

    assert echo["user_id"] == colleague.pk and echo["college_id"] == college.pk
    assert received["broadcast"] == "педсовет перенесён"


async def test_a_member_removed_while_connected_to_one_process_is_closed_by_a_signal_sent_from_another(
    asgi_server_pair, college, member, socket_headers
):
    server_a, _ = asgi_server_pair
    member_headers = await sync_to_async(socket_headers)(member)
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(
            f"{server_a}/ws/colleges/{college.pk}/ping/", headers=_handshake(server_a, member_headers)
        ) as on_a:
            await Membership.objects.filter(user=member).aupdate(status=Membership.Status.LEFT)

            # This pytest process is the "other process": it reaches server A only through Redis.
            await access_changed_send(user_id=member.pk)
            closing = await on_a.receive(timeout=TIMEOUT)

    assert closing.type == aiohttp.WSMsgType.CLOSE
    assert closing.data == DENIED_CLOSE_CODE


async def test_an_anonymous_handshake_is_refused_by_a_real_server(asgi_server_pair, college):
    server_a, _ = asgi_server_pair
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await asyncio.wait_for(
                http.ws_connect(f"{server_a}/ws/colleges/{college.pk}/ping/", headers=_handshake(server_a, [])),
                TIMEOUT,
            )

    assert refused.value.status == 403
