"""A message's ``<li>`` (chats.fragments): one renderer for the chat page's rows and the live events' ``html``."""

import re

import pytest
from django.urls import reverse

from chats import events, services, texts
from chats.fragments import REPLY_PREVIEW_CHARS
from tests.chats.conftest import PDF_BYTES, upload

pytestmark = pytest.mark.django_db


def page_row(client, membership, chat, message_id) -> str:
    client.force_login(membership.user)
    body = client.get(reverse("chats:chat", kwargs={"pk": chat.pk})).content.decode()
    return re.search(rf'<li class="message[^"]*" id="m-{message_id}".*?\n</li>\n', body, re.S).group(0)


def test_the_page_shows_a_message_with_the_same_bytes_the_live_event_carries(world, client):
    chat = world.group_chat
    asked = services.message_post(actor=world.students[0].user, chat=chat, text="Когда зачёт?")
    answer = services.message_post(
        actor=world.curator.user,
        chat=chat,
        text="В пятницу",
        reply_to=asked,
        attachments=[upload("план.pdf", PDF_BYTES)],
    )
    services.reaction_toggle(actor=world.students[1].user, message=answer, emoji="👍")

    row = page_row(client, world.students[2], chat, answer.pk)

    assert row.strip() == events.message_html(chat.pk, answer.pk)
    assert 'class="message-reply"' in row and "план.pdf" in row and '<span class="reaction">👍 1</span>' in row


def test_names_files_and_quoted_texts_are_escaped(world, client):
    chat = world.group_chat
    author = world.students[0].user
    author.last_name = "<b>Жирный</b>"
    author.save()
    quoted = services.message_post(actor=author, chat=chat, text="<script>alert(1)</script>" + "я" * 200)
    reply = services.message_post(
        actor=author, chat=chat, text="ответ", reply_to=quoted, attachments=[upload("Итоги & планы.pdf", PDF_BYTES)]
    )

    html = events.message_html(chat.pk, reply.pk)

    assert "<b>Жирный" not in html and "&lt;b&gt;Жирный&lt;/b&gt;" in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "📎 Итоги &amp; планы.pdf</a>" in html
    preview = re.search(r"</strong>: (.*?)</small>", html).group(1)
    assert preview.endswith("…") and len(preview.replace("&lt;", "<").replace("&gt;", ">")) == REPLY_PREVIEW_CHARS


def test_a_deleted_message_shows_the_placeholder_without_its_text_files_or_reply(world):
    chat = world.group_chat
    quoted = services.message_post(actor=world.students[1].user, chat=chat, text="Вопрос")
    message = services.message_post(
        actor=world.students[0].user,
        chat=chat,
        text="Секрет",
        reply_to=quoted,
        attachments=[upload("a.pdf", PDF_BYTES)],
    )
    services.message_moderate_delete(actor=world.curator.user, message=message, reason="спам")

    html = events.message_html(chat.pk, message.pk)

    assert 'class="message deleted"' in html and texts.MODERATED_PLACEHOLDER in html
    assert "Секрет" not in html and "a.pdf" not in html and "message-reply" not in html and "спам" not in html
