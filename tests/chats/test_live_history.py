"""chats.services.messages_post_many_unchecked: the bulk writer bench/chat_history.py fills a chat with."""

import pytest

from audit.models import AuditEvent
from chats import selectors, services
from chats.models import Message

pytestmark = pytest.mark.django_db


def test_many_messages_are_written_in_order_audited_once_and_read_back_as_history(
    world, django_capture_on_commit_callbacks
):
    chat = world.group_chat
    authors = [world.students[0].pk, world.curator.pk]
    posts = [(authors[n % 2], f"Сообщение {n}") for n in range(120)]

    with django_capture_on_commit_callbacks() as callbacks:
        written = services.messages_post_many_unchecked(actor=world.curator.user, chat=chat, posts=posts, batch_size=50)

    page = selectors.chat_history(world.students[1].user, chat, limit=10)
    assert written == 120 and Message.objects.filter(chat=chat).count() == 120
    assert [m.text for m in page.messages] == [f"Сообщение {n}" for n in range(110, 120)]
    assert page.messages[-1].author_id == world.curator.pk and page.has_more
    assert AuditEvent.objects.filter(action="chat.messages_import", after__count=120).count() == 1
    assert not [c for c in callbacks if "publish" in getattr(c, "__qualname__", "")]  # no live events


def test_nothing_to_write_writes_nothing(world):
    assert services.messages_post_many_unchecked(actor=None, chat=world.group_chat, posts=[]) == 0
    assert not AuditEvent.objects.filter(action="chat.messages_import").exists()
