"""A message's safe HTML is rendered once, when the text is written (issue #13, the history page's speed):
the chats services store ``render_message``'s output, the data migration fills the rows written before,
and a page of history outputs it as it is."""

import importlib

import pytest
from django.apps import apps

from chats import selectors, services
from chats.formatting import render_message
from chats.models import Chat, Message, MessageMention
from tests import factories

pytestmark = pytest.mark.django_db

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)> «см. https://example.org/a?b=1&c=2.»"


def test_posting_stores_the_sanitised_html_with_the_mentions(world):
    target = world.students[1]
    text = f"@{target.user.last_name} {PAYLOAD}\nвторая строка"

    message = services.message_post(actor=world.students[0].user, chat=world.group_chat, text=text)

    stored = Message.objects.get(pk=message.pk).text_html
    assert stored == render_message(
        text, {f"{target.user.last_name} {target.user.first_name}": target.pk, target.user.last_name: target.pk}
    )
    assert f'<span class="mention" data-member="{target.pk}">' in stored and "<br>" in stored
    assert "<script" not in stored and "<img" not in stored and "&lt;script&gt;" in stored
    assert selectors.chat_history(world.students[2].user, world.group_chat).messages[-1].html == stored


def test_editing_renders_the_new_text_and_drops_the_old_mention(world):
    target = world.students[1]
    message = services.message_post(
        actor=world.students[0].user, chat=world.group_chat, text=f"@{target.user.last_name}, привет"
    )

    services.message_edit(actor=world.students[0].user, message=message, text="<b>без упоминаний</b>")

    assert Message.objects.get(pk=message.pk).text_html == "&lt;b&gt;без упоминаний&lt;/b&gt;"
    assert not MessageMention.objects.filter(message=message).exists()


def test_imported_and_system_messages_store_their_html(world):
    services.messages_post_many_unchecked(
        actor=world.admin.user, chat=world.group_chat, posts=[(world.students[0].pk, "a < b\nhttps://example.org")]
    )
    services.chat_set_status(actor=world.admin.user, chat=world.group_chat, status=Chat.Status.READ_ONLY)

    imported, system = Message.objects.filter(chat=world.group_chat).order_by("pk")
    assert imported.text_html == render_message("a < b\nhttps://example.org")
    assert system.kind == Message.Kind.SYSTEM and system.text_html == render_message(system.text)


def test_the_migration_fills_rows_written_before_it(world):
    target = world.students[1]
    old = factories.MessageFactory(
        chat=world.group_chat, author=world.students[0], text=f"@{target.user.last_name} {PAYLOAD}"
    )
    MessageMention.objects.create(message=old, member=target)
    empty = factories.MessageFactory(chat=world.group_chat, text="")
    assert old.text_html == ""

    importlib.import_module("chats.migrations.0004_message_text_html").fill_text_html(apps, None)

    old.refresh_from_db()
    assert old.text_html == render_message(
        old.text, {target.user.last_name: target.pk, f"{target.user.last_name} {target.user.first_name}": target.pk}
    )
    assert f'data-member="{target.pk}"' in old.text_html and "<script" not in old.text_html
    assert Message.objects.get(pk=empty.pk).text_html == ""


def test_a_row_written_around_the_services_is_still_rendered_safely(world):
    factories.MessageFactory(chat=world.group_chat, author=world.students[0], text=PAYLOAD)

    shaped = selectors.chat_history(world.students[0].user, world.group_chat).messages[-1]

    assert shaped.html == render_message(PAYLOAD) and "<script" not in shaped.html
