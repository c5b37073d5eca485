"""colleges.sockets.CollegeSocketConsumer, through the whole ASGI application (origin check, session,
routing) and the real Redis channel layer, on its shell endpoint /ws/colleges/<id>/ping/."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from colleges.models import Membership, Role
from colleges.services import membership_end_unchecked, memberships_end_many_unchecked
from colleges.sockets import DENIED_CLOSE_CODE, access_changed_send
from sferum_admin.asgi import application
from tests import factories
from tests.conftest import add_totp

pytestmark = pytest.mark.django_db(transaction=True)


def _path(college) -> str:
    return f"/ws/colleges/{college.pk}/ping/"


@pytest.fixture
def member(college):
    return factories.MembershipFactory(college=college, role=Role.TEACHER).user


@pytest.fixture
def outsider(other_college):
    return factories.MembershipFactory(college=other_college, role=Role.TEACHER).user


@pytest.fixture
def colleague(college):
    return factories.MembershipFactory(college=college, role=Role.TEACHER).user


@pytest.fixture
def signed_headers(socket_headers):
    """``await signed_headers(user)``: the handshake's headers signed in as ``user`` (saved outside the loop)."""
    return sync_to_async(socket_headers)


async def _connect(path, handshake):
    communicator = WebsocketCommunicator(application, path, headers=handshake)
    connected, _ = await communicator.connect()
    return communicator, connected


async def test_the_layer_under_test_is_redis(redis_channel_layer):
    assert type(redis_channel_layer).__module__.startswith("channels_redis.")


async def test_an_anonymous_socket_is_refused(redis_channel_layer, college, signed_headers):
    communicator, connected = await _connect(_path(college), await signed_headers(None))

    assert not connected


async def test_a_member_of_another_college_is_refused(redis_channel_layer, college, outsider, signed_headers):
    communicator, connected = await _connect(_path(college), await signed_headers(outsider))

    assert not connected


async def test_a_college_that_does_not_exist_is_refused_alike(redis_channel_layer, member, signed_headers):
    communicator, connected = await _connect("/ws/colleges/999999999/ping/", await signed_headers(member))

    assert not connected


async def test_a_former_member_is_refused(redis_channel_layer, college, signed_headers):
    former = await sync_to_async(factories.MembershipFactory)(
        college=college, role=Role.TEACHER, status=Membership.Status.LEFT
    )

    communicator, connected = await _connect(_path(college), await signed_headers(former.user))

    assert not connected


async def test_an_administrator_without_totp_is_refused_as_on_the_pages(redis_channel_layer, college, signed_headers):
    administrator = (await sync_to_async(factories.MembershipFactory)(college=college, role=Role.ADMINISTRATOR)).user

    communicator, connected = await _connect(_path(college), await signed_headers(administrator))

    assert not connected


async def test_an_administrator_with_totp_is_accepted(redis_channel_layer, college, signed_headers):
    administrator = (await sync_to_async(factories.MembershipFactory)(college=college, role=Role.ADMINISTRATOR)).user
    await sync_to_async(add_totp)(administrator)

    communicator, connected = await _connect(_path(college), await signed_headers(administrator))

    assert connected
    await communicator.disconnect()


async def test_a_member_is_accepted_and_answered_as_themself_in_the_college(
    redis_channel_layer, college, member, signed_headers
):
    communicator, connected = await _connect(_path(college), await signed_headers(member))

    await communicator.send_json_to({"n": 1})
    answer = await communicator.receive_json_from()

    assert connected
    assert answer["n"] == 1 and answer["user_id"] == member.pk and answer["college_id"] == college.pk
    await communicator.disconnect()


async def test_a_broadcast_reaches_the_colleges_members_and_no_other_college(
    redis_channel_layer, college, other_college, member, colleague, outsider, signed_headers
):
    listener, _ = await _connect(_path(college), await signed_headers(colleague))
    stranger, _ = await _connect(_path(other_college), await signed_headers(outsider))
    sender, _ = await _connect(_path(college), await signed_headers(member))

    await sender.send_json_to({"broadcast": "собрание в 15:00"})

    assert (await listener.receive_json_from())["broadcast"] == "собрание в 15:00"
    assert (await sender.receive_json_from())["broadcast"] == "собрание в 15:00"
    assert await stranger.receive_nothing(timeout=0.3)
    for communicator in (listener, stranger, sender):
        await communicator.disconnect()


async def test_a_member_whose_membership_ended_is_closed_at_their_next_frame(
    redis_channel_layer, college, member, signed_headers
):
    communicator, _ = await _connect(_path(college), await signed_headers(member))
    await Membership.objects.filter(user=member).aupdate(status=Membership.Status.LEFT)

    await communicator.send_json_to({"n": 2})

    assert await communicator.receive_output() == {"type": "websocket.close", "code": DENIED_CLOSE_CODE}


async def test_access_changed_closes_a_removed_members_socket_at_once(
    redis_channel_layer, college, member, signed_headers
):
    communicator, _ = await _connect(_path(college), await signed_headers(member))
    await Membership.objects.filter(user=member).aupdate(status=Membership.Status.LEFT)

    await access_changed_send(user_id=member.pk)

    assert await communicator.receive_output() == {"type": "websocket.close", "code": DENIED_CLOSE_CODE}


async def test_access_changed_leaves_a_still_allowed_socket_open(redis_channel_layer, college, member, signed_headers):
    communicator, _ = await _connect(_path(college), await signed_headers(member))

    await access_changed_send(user_id=member.pk)

    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.send_json_to({"n": 3})
    assert (await communicator.receive_json_from())["n"] == 3
    await communicator.disconnect()


async def test_ending_a_membership_closes_the_persons_open_socket_at_once(
    redis_channel_layer, college, member, signed_headers
):
    communicator, _ = await _connect(_path(college), await signed_headers(member))
    membership = await Membership.objects.aget(user=member, college=college)

    await sync_to_async(membership_end_unchecked)(actor=None, membership=membership)

    # No frame from the client: the service's ``access.changed`` made the socket check and close.
    assert await communicator.receive_output(timeout=3) == {"type": "websocket.close", "code": DENIED_CLOSE_CODE}


async def test_ending_many_memberships_closes_those_sockets_and_leaves_the_others_open(
    redis_channel_layer, college, member, colleague, signed_headers
):
    leaving, _ = await _connect(_path(college), await signed_headers(member))
    staying, _ = await _connect(_path(college), await signed_headers(colleague))
    membership = await Membership.objects.aget(user=member, college=college)

    ended = await sync_to_async(memberships_end_many_unchecked)(
        actor=None, college=college, membership_ids=[membership.pk]
    )

    assert ended == [membership.pk]
    assert await leaving.receive_output(timeout=3) == {"type": "websocket.close", "code": DENIED_CLOSE_CODE}
    assert await staying.receive_nothing(timeout=0.3)
    await staying.send_json_to({"n": 4})
    assert (await staying.receive_json_from())["n"] == 4
    await staying.disconnect()
