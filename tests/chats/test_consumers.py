"""chats.consumers.ChatConsumer through the whole ASGI application (origin, session, routing) and the REAL
Redis channel layer: who is let in, what reaches whom, what a removed or muted member gets."""

import datetime
import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from chats import consumers, services, texts
from chats.models import ChatKind, ChatMember, Message
from colleges.models import Membership, Role
from colleges.sockets import DENIED_CLOSE_CODE, access_changed_send
from sferum_admin.asgi import application
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def path(chat) -> str:
    return f"/ws/colleges/{chat.college_id}/chats/{chat.pk}/"


@pytest.fixture
def connect(socket_headers):
    """``await connect(chat, user)``: (communicator, connected); the test disconnects what stays open."""

    async def make(chat, user, *, college_id=None):
        headers = await sync_to_async(socket_headers)(user)
        route = path(chat) if college_id is None else f"/ws/colleges/{college_id}/chats/{chat.pk}/"
        communicator = WebsocketCommunicator(application, route, headers=headers)
        connected, _ = await communicator.connect()
        return communicator, connected

    return make


async def disconnect(*communicators) -> None:
    for communicator in communicators:
        await communicator.disconnect()


async def next_event(communicator, kind: str, timeout: float = 3) -> dict:
    """The next event of ``kind`` (typing and other chatter before it is skipped)."""
    while True:
        event = await communicator.receive_json_from(timeout=timeout)
        if event.get("type") == kind:
            return event


post = sync_to_async(services.message_post)


@pytest.fixture
def chat(world):
    return world.group_chat


async def test_the_layer_under_test_is_redis(redis_channel_layer):
    assert type(redis_channel_layer).__module__.startswith("channels_redis")


async def test_a_member_receives_a_new_message_rendered_once_for_all(redis_channel_layer, world, chat, connect):
    reader, connected = await connect(chat, world.students[1].user)

    message = await post(actor=world.students[0].user, chat=chat, text="Завтра пара в 201-й <b>аудитории</b>")
    event = await next_event(reader, "message.new")

    assert connected
    assert event["message_id"] == message.pk and event["chat_id"] == chat.pk
    assert event["author_id"] == world.students[0].pk
    assert f'id="m-{message.pk}"' in event["html"] and "Завтра пара в 201-й" in event["html"]
    assert "<b>аудитории</b>" not in event["html"]  # the text is escaped, not markup
    await disconnect(reader)


async def test_another_groups_member_another_college_and_anonymous_are_refused(
    redis_channel_layer, world, chat, other_college, connect
):
    outsider = await sync_to_async(factories.MembershipFactory)(college=other_college, role=Role.TEACHER)

    _, other_group = await connect(chat, world.other_student.user)
    _, other_college_member = await connect(chat, outsider.user)
    _, through_their_college = await connect(chat, outsider.user, college_id=other_college.pk)
    _, anonymous = await connect(chat, None)
    _, parent_not_in_the_group_chat = await connect(chat, world.parent.user)

    assert not other_group
    assert not other_college_member and not through_their_college
    assert not anonymous
    assert not parent_not_in_the_group_chat


async def test_a_message_of_another_chat_does_not_reach_the_socket(redis_channel_layer, world, chat, connect):
    other_chat = await sync_to_async(world.chat)(ChatKind.STUDY_GROUP, world.other_group)
    reader, _ = await connect(chat, world.students[0].user)

    await post(actor=world.other_student.user, chat=other_chat, text="Чужой чат")

    assert await reader.receive_nothing(timeout=0.3)
    await disconnect(reader)


async def test_a_removed_members_open_socket_is_told_and_closed_at_once(redis_channel_layer, world, chat, connect):
    removed, _ = await connect(chat, world.students[0].user)
    staying, _ = await connect(chat, world.students[1].user)

    await sync_to_async(services.member_remove)(actor=world.curator.user, chat=chat, member=world.students[0])
    told = await removed.receive_json_from(timeout=3)
    closed = await removed.receive_output(timeout=3)
    await post(actor=world.curator.user, chat=chat, text="После удаления")

    assert told["type"] == "member.removed" and told["member_id"] == world.students[0].pk
    assert closed == {"type": "websocket.close", "code": DENIED_CLOSE_CODE}
    assert (await next_event(staying, "message.new"))["html"].count("После удаления") == 1
    assert await removed.receive_nothing(timeout=0.3)
    await disconnect(staying)


async def test_a_banned_member_is_closed_and_cannot_connect_again(redis_channel_layer, world, chat, connect):
    banned, _ = await connect(chat, world.students[0].user)

    await sync_to_async(services.member_ban)(actor=world.curator.user, chat=chat, member=world.students[0])
    told = await banned.receive_json_from(timeout=3)
    closed = await banned.receive_output(timeout=3)
    _, again = await connect(chat, world.students[0].user)

    assert told["type"] == "member.removed" and told["banned"] is True
    assert closed["code"] == DENIED_CLOSE_CODE
    assert not again


async def test_a_muted_member_posting_through_the_socket_gets_the_refusal_and_nothing_is_saved(
    redis_channel_layer, world, chat, connect
):
    student = world.students[0]
    socket, _ = await connect(chat, student.user)
    until = timezone.now() + datetime.timedelta(hours=2)
    await sync_to_async(services.member_mute)(actor=world.curator.user, chat=chat, member=student, until=until)
    muted = await next_event(socket, "member.muted")
    before = await Message.objects.filter(chat=chat).acount()

    await socket.send_json_to({"type": "post", "text": "Всё равно напишу"})
    refusal = await next_event(socket, "error")

    expected = texts.MUTED_UNTIL.format(until=timezone.localtime(until).strftime("%d.%m %H:%M"))
    assert muted["refusal"] == expected  # the composer is replaced with the same sentence, live
    assert refusal["message"] == expected
    assert await Message.objects.filter(chat=chat).acount() == before
    await disconnect(socket)


async def test_a_member_posts_through_the_socket_and_the_others_receive_it(redis_channel_layer, world, chat, connect):
    writer, _ = await connect(chat, world.students[0].user)
    reader, _ = await connect(chat, world.students[1].user)

    await writer.send_json_to({"type": "post", "text": "Кто идёт на консультацию?"})
    posted = await next_event(writer, "posted")
    received = await next_event(reader, "message.new")

    assert received["message_id"] == posted["message_id"]
    assert "Кто идёт на консультацию?" in received["html"]
    saved = await Message.objects.aget(pk=posted["message_id"])
    assert saved.author_id == world.students[0].pk and saved.chat_id == chat.pk
    await disconnect(writer, reader)


async def test_an_empty_post_is_answered_in_russian_and_saves_nothing(redis_channel_layer, world, chat, connect):
    socket, _ = await connect(chat, world.students[0].user)

    await socket.send_json_to({"type": "post", "text": "   "})
    error = await next_event(socket, "error")
    await socket.send_json_to({"type": "dance"})
    unknown = await next_event(socket, "error")

    assert error["message"] == texts.EMPTY_MESSAGE
    assert unknown["message"] == consumers.UNKNOWN_FRAME
    assert not await Message.objects.filter(chat=chat).aexists()
    await disconnect(socket)


async def test_a_deleted_messages_event_carries_the_placeholder_and_never_its_text(
    redis_channel_layer, world, chat, connect
):
    reader, _ = await connect(chat, world.students[1].user)
    message = await post(actor=world.students[0].user, chat=chat, text="Пароль от вайфая qwerty123")
    await next_event(reader, "message.new")

    await sync_to_async(services.message_moderate_delete)(actor=world.curator.user, message=message, reason="Спам")
    event = await next_event(reader, "message.deleted")

    assert event["message_id"] == message.pk and event["moderated"] is True
    assert "qwerty123" not in json.dumps(event, ensure_ascii=False)
    assert "Спам" not in json.dumps(event, ensure_ascii=False)  # the reason is for moderators' pages
    assert texts.MODERATED_PLACEHOLDER in event["html"]
    await disconnect(reader)


async def test_typing_reaches_the_others_once_per_interval_and_not_the_typist(
    redis_channel_layer, world, chat, connect
):
    typist, _ = await connect(chat, world.students[0].user)
    reader, _ = await connect(chat, world.students[1].user)

    await typist.send_json_to({"type": "typing"})
    await typist.send_json_to({"type": "typing"})
    event = await reader.receive_json_from(timeout=3)

    assert event["type"] == "typing" and event["member_id"] == world.students[0].pk
    assert event["name"] == world.students[0].user.short_name
    assert await reader.receive_nothing(timeout=0.3)  # the second within the interval is not sent
    assert await typist.receive_nothing(timeout=0.1)
    await disconnect(typist, reader)


async def test_read_moves_the_marker_and_tells_the_readers_other_devices(redis_channel_layer, world, chat, connect):
    message = await post(actor=world.students[1].user, chat=chat, text="Прочитай меня")
    phone, _ = await connect(chat, world.students[0].user)
    laptop, _ = await connect(chat, world.students[0].user)

    await phone.send_json_to({"type": "read", "message_id": message.pk})
    on_laptop = await next_event(laptop, "chat.read")
    await phone.send_json_to({"type": "read", "message_id": "вчера"})
    bad = await next_event(phone, "error")

    row = await ChatMember.objects.aget(chat=chat, member=world.students[0])
    assert row.last_read_message_id == message.pk
    assert on_laptop["last_read_message_id"] == message.pk
    assert bad["message"] == consumers.BAD_MESSAGE_ID
    await disconnect(phone, laptop)


async def test_a_removal_announced_nowhere_is_caught_by_the_periodic_recheck(
    redis_channel_layer, world, chat, connect, monkeypatch
):
    socket, _ = await connect(chat, world.students[0].user)
    # A row ended behind the services' back: no event names it.
    await ChatMember.objects.filter(chat=chat, member=world.students[0]).aupdate(left_at=timezone.now())
    await post(actor=world.curator.user, chat=chat, text="Ещё видно: проверка раз в RECHECK_SECONDS")
    still = await next_event(socket, "message.new")

    monkeypatch.setattr(consumers, "RECHECK_SECONDS", 0)
    await post(actor=world.curator.user, chat=chat, text="Уже не видно")

    assert "Ещё видно" in still["html"]
    assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": DENIED_CLOSE_CODE}


async def test_access_changed_closes_the_chat_of_a_member_who_left_the_college(
    redis_channel_layer, world, chat, connect
):
    socket, _ = await connect(chat, world.students[0].user)
    await Membership.objects.filter(pk=world.students[0].pk).aupdate(status=Membership.Status.LEFT)

    await access_changed_send(user_id=world.students[0].user_id)

    assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": DENIED_CLOSE_CODE}


async def test_a_read_only_switch_reaches_members_with_the_composers_sentence(
    redis_channel_layer, world, chat, connect
):
    socket, _ = await connect(chat, world.students[0].user)

    await sync_to_async(services.chat_set_status)(actor=world.curator.user, chat=chat, status="read_only")
    event = await next_event(socket, "chat.updated")

    assert event["status"] == "read_only" and event["refusal"] == texts.READ_ONLY
    await disconnect(socket)
