"""/ws/ping/: the bare echo of health checks and bench/chat_fanout.py, through the whole ASGI application
and the real Redis channel layer."""

import pytest
from channels.testing import WebsocketCommunicator

from core.sockets import NOT_AN_OBJECT, NOT_JSON, TOO_LONG
from sferum_admin.asgi import application

# The session middleware and the consumers' connection upkeep touch the database (in another thread).
pytestmark = pytest.mark.django_db(transaction=True)

SITE = [(b"origin", b"http://testserver")]


@pytest.fixture
async def pinger(redis_channel_layer):
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=SITE)
    connected, _ = await communicator.connect()
    assert connected
    yield communicator
    await communicator.disconnect()


async def test_an_object_comes_back_with_the_server_time(pinger):
    await pinger.send_json_to({"n": 7, "текст": "проверка"})

    answer = await pinger.receive_json_from()

    assert answer["n"] == 7 and answer["текст"] == "проверка"
    assert isinstance(answer["server_time"], float)


async def test_a_frame_that_is_not_json_gets_a_russian_answer_and_the_socket_stays_open(pinger):
    await pinger.send_to(text_data="{не json")

    assert await pinger.receive_json_from() == {"error": NOT_JSON}
    await pinger.send_json_to({"n": 1})
    assert (await pinger.receive_json_from())["n"] == 1


async def test_json_that_is_not_an_object_is_refused_in_russian(pinger):
    await pinger.send_json_to([1, 2])

    assert await pinger.receive_json_from() == {"error": NOT_AN_OBJECT}


async def test_a_frame_over_the_limit_is_refused_unread(pinger):
    await pinger.send_json_to({"pad": "я" * 2000})

    assert await pinger.receive_json_from() == {"error": TOO_LONG}


async def test_a_broadcast_reaches_every_pinger_instead_of_an_echo(redis_channel_layer, pinger):
    other = WebsocketCommunicator(application, "/ws/ping/", headers=SITE)
    await other.connect()

    await pinger.send_json_to({"broadcast": {"k": "v"}})

    assert (await other.receive_json_from())["broadcast"] == {"k": "v"}
    assert (await pinger.receive_json_from())["broadcast"] == {"k": "v"}
    assert await pinger.receive_nothing(timeout=0.2)
    await other.disconnect()


async def test_a_page_of_another_site_cannot_open_a_socket(redis_channel_layer):
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=[(b"origin", b"https://evil.example")])

    connected, _ = await communicator.connect()

    assert not connected
