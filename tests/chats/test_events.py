import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from chats import events, services
from chats.models import ChatKind, ChatMember
from chats.services.common import members_join_unchecked

pytestmark = pytest.mark.django_db


def receive(channel):
    layer = get_channel_layer()
    return async_to_sync(layer.receive)(channel)


def subscribe(group):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    return channel


def test_a_new_message_is_published_to_the_chat_after_commit(world, django_capture_on_commit_callbacks):
    channel = subscribe(events.chat_group(world.group_chat.pk))

    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_post(actor=world.students[0].user, chat=world.group_chat, text="Привет")

    event = receive(channel)["event"]
    html = event.pop("html")
    assert event == {
        "type": "message.new",
        "chat_id": world.group_chat.pk,
        "message_id": message.pk,
        "author_id": world.students[0].pk,
    }
    assert html.startswith(f'<li class="message" id="m-{message.pk}" data-id="{message.pk}"') and "Привет" in html


def test_a_message_event_is_rendered_once_whatever_the_number_of_members(world, django_assert_max_num_queries):
    """The publisher renders the fragment once: the queries do not grow with the chat's members."""
    message = services.message_post(actor=world.students[0].user, chat=world.group_chat, text="Раз")

    with django_assert_max_num_queries(6):
        event = events.with_html({"type": "message.new", "chat_id": world.group_chat.pk, "message_id": message.pk})

    assert "Раз" in event["html"]


def test_a_render_that_fails_still_sends_the_event_without_html(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("база недоступна")

    monkeypatch.setattr(events, "message_html", broken)

    event = events.with_html({"type": "message.edited", "chat_id": world.group_chat.pk, "message_id": 1})

    assert event["html"] is None and event["message_id"] == 1


def test_a_removed_member_is_told_on_their_personal_group(world, django_capture_on_commit_callbacks):
    student = world.students[0]
    channel = subscribe(events.user_group(student.user_id))
    chat = services.chat_create(actor=world.other_teacher.user, college=world.college, kind=ChatKind.FREE, title="К")
    services.member_add(actor=world.other_teacher.user, chat=chat, member=student)

    with django_capture_on_commit_callbacks(execute=True):
        services.member_remove(actor=world.other_teacher.user, chat=chat, member=student)

    event = receive(channel)["event"]
    assert event["type"] == "member.removed" and event["chat_id"] == chat.pk and event["user_id"] == student.user_id


def test_a_channel_layer_that_is_down_fails_no_request(world, settings, django_capture_on_commit_callbacks):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]}}
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()

    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_post(actor=world.students[0].user, chat=world.group_chat, text="Всё равно")

    assert message.pk
    channel_layers.backends.clear()


def test_members_added_at_once_are_announced_in_one_callback_and_each_event_arrives(
    world, django_capture_on_commit_callbacks
):
    """A roster sync adding many members sends all their ``member.added`` in one trip to the event loop."""
    chat = services.chat_create(actor=world.curator.user, college=world.college, kind=ChatKind.FREE, title="Кружок")
    channel = subscribe(events.chat_group(chat.pk))
    newcomers = world.students[:3]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        members_join_unchecked(
            actor=None,
            chat=chat,
            roles={n.pk: ChatMember.Role.MEMBER for n in newcomers},
            source=ChatMember.Source.MANUAL,
        )

    publishing = [c for c in callbacks if getattr(c, "__module__", "") == events.__name__]
    assert len(publishing) == 1
    received = [receive(channel)["event"] for _ in newcomers]
    assert [(e["type"], e["member_id"]) for e in received] == [("member.added", n.pk) for n in newcomers]
