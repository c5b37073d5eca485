"""The chat pages: the list, one chat with its composer, search, creating and direct chats."""

import pytest
from django.urls import reverse

from chats import services, texts
from chats.models import Chat, ChatKind, ChatMember, Message
from tests.chats.conftest import EXE_BYTES, PDF_BYTES, upload

pytestmark = pytest.mark.django_db


def chat_url(chat, **query):
    url = reverse("chats:chat", kwargs={"pk": chat.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def signed_in(client, membership):
    client.force_login(membership.user)
    return client


def test_the_list_shows_my_chats_with_unread_counts_and_the_last_message(world, client):
    services.message_post(actor=world.curator.user, chat=world.group_chat, text="Завтра пара в 301")
    services.message_post(actor=world.curator.user, chat=world.group_chat, text="Не опаздывайте")

    response = signed_in(client, world.students[0]).get(reverse("chats:list"))

    assert response.status_code == 200
    row = next(item for item in response.context["items"] if item.chat == world.group_chat)
    assert row.unread == 2
    body = response.content.decode()
    assert "Не опаздывайте" in body and 'aria-label="Непрочитанных: 2"' in body
    assert world.other_group.name not in body  # the other group's chat is not mine


def test_the_list_offers_creating_a_chat_only_to_those_who_may(world, client):
    student = signed_in(client, world.students[0]).get(reverse("chats:list"))
    client.force_login(world.curator.user)
    curator = client.get(reverse("chats:list"))

    assert student.context["can_create"] is False and "Создать чат" not in student.content.decode()
    assert curator.context["can_create"] is True and "Создать чат" in curator.content.decode()


def test_search_across_my_chats_links_to_the_message_in_its_chat(world, client):
    message = services.message_post(actor=world.curator.user, chat=world.group_chat, text="Расписание сессии готово")
    services.message_post(
        actor=world.other_student.user,
        chat=world.chat(ChatKind.STUDY_GROUP, world.other_group),
        text="Расписание чужое",
    )

    response = signed_in(client, world.students[0]).get(reverse("chats:list"), {"q": "Расписание"})

    assert [found.pk for found in response.context["results"]] == [message.pk]
    assert f"?before={message.pk + 1}#m-{message.pk}" in response.content.decode()


@pytest.mark.parametrize("q", ["\x00", "а\x00б", "я"])
def test_a_bad_search_gets_a_russian_message_not_a_500(world, client, q):
    response = signed_in(client, world.students[0]).get(reverse("chats:list"), {"q": q})

    assert response.status_code == 400
    body = response.content.decode()
    assert "недопустимый символ (NUL)" in body or texts.SEARCH_TOO_SHORT in body


def test_an_empty_list_says_what_to_do(college, client):
    from colleges.models import Role
    from tests import factories

    lonely = factories.MembershipFactory(college=college, role=Role.TEACHER)

    response = signed_in(client, lonely).get(reverse("chats:list"))

    assert response.status_code == 200 and "У вас пока нет чатов" in response.content.decode()


def test_a_student_opens_the_group_chat_and_it_is_marked_read(world, client):
    message = services.message_post(actor=world.curator.user, chat=world.group_chat, text="Привет, группа")

    response = signed_in(client, world.students[0]).get(chat_url(world.group_chat))

    assert response.status_code == 200
    body = response.content.decode()
    assert f'<section id="chat" data-chat-id="{world.group_chat.pk}"' in body
    assert f'id="m-{message.pk}"' in body and '<form id="composer"' in body
    assert f'data-ws-url="/ws/colleges/{world.college.pk}/chats/{world.group_chat.pk}/"' in body
    row = ChatMember.objects.get(chat=world.group_chat, member=world.students[0])
    assert row.last_read_message_id == message.pk
    more = reverse("chats:message", kwargs={"pk": world.group_chat.pk, "message_id": message.pk})
    assert f'<a class="message-more" href="{more}"' in body


def test_posting_saves_the_message_and_redirects_to_it(world, client):
    response = signed_in(client, world.students[0]).post(chat_url(world.group_chat), {"text": "Я на месте"})

    message = Message.objects.get(chat=world.group_chat, kind=Message.Kind.TEXT)
    assert response.status_code == 302 and response["Location"].endswith(f"#m-{message.pk}")
    assert (message.text, message.author) == ("Я на месте", world.students[0])


def test_a_reply_is_posted_through_the_reply_parameter(world, client):
    first = services.message_post(actor=world.curator.user, chat=world.group_chat, text="Кто дежурит?")
    page = signed_in(client, world.students[0]).get(chat_url(world.group_chat, reply=first.pk))

    client.post(chat_url(world.group_chat), {"text": "Я", "reply": first.pk})

    assert f'name="reply" value="{first.pk}"' in page.content.decode()
    assert Message.objects.get(text="Я").reply_to == first


def test_a_reply_to_another_chats_message_is_not_taken(world, client):
    elsewhere = services.message_post(
        actor=world.other_student.user, chat=world.chat(ChatKind.STUDY_GROUP, world.other_group), text="Чужое"
    )

    signed_in(client, world.students[0]).post(chat_url(world.group_chat), {"text": "Ответ", "reply": elsewhere.pk})

    assert Message.objects.get(text="Ответ").reply_to is None


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("", texts.EMPTY_MESSAGE),
        ("   ", texts.EMPTY_MESSAGE),
        ("я" * 4001, "не больше 4000 знаков"),
        ("a\x00b", "запрещённый символ"),
    ],
)
def test_bad_text_gets_a_russian_message_and_nothing_is_saved(world, client, text, sentence):
    response = signed_in(client, world.students[0]).post(chat_url(world.group_chat), {"text": text})

    assert response.status_code == 400
    assert sentence in response.content.decode()
    assert not Message.objects.filter(chat=world.group_chat, kind=Message.Kind.TEXT).exists()


def test_script_tags_are_shown_as_text(world, client):
    signed_in(client, world.students[0]).post(chat_url(world.group_chat), {"text": "<script>alert(1)</script>"})

    body = client.get(chat_url(world.group_chat)).content.decode()

    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_pdf_attachment_is_posted_and_downloaded_by_a_member(world, client):
    signed_in(client, world.students[0]).post(
        chat_url(world.group_chat), {"text": "", "attachments": [upload("Реферат.pdf", PDF_BYTES)]}
    )
    attachment = Message.objects.get(chat=world.group_chat, kind=Message.Kind.TEXT).attachments.get()
    client.force_login(world.students[1].user)

    response = client.get(reverse("chats:attachment", kwargs={"pk": attachment.pk}))

    assert response.status_code == 200
    assert "Реферат.pdf" in response["Content-Disposition"] or "filename*" in response["Content-Disposition"]


def test_a_forged_upload_is_refused_in_russian_and_nothing_is_saved(world, client):
    response = signed_in(client, world.students[0]).post(
        chat_url(world.group_chat), {"text": "Смотрите", "attachments": [upload("Реферат.pdf", EXE_BYTES)]}
    )

    assert response.status_code == 400
    assert "не принят" in response.content.decode()
    assert not Message.objects.filter(chat=world.group_chat, kind=Message.Kind.TEXT).exists()


def test_another_groups_student_cannot_read_or_post_or_download(world, client):
    message = services.message_post(
        actor=world.students[0].user, chat=world.group_chat, text="Наше", attachments=[upload("a.pdf", PDF_BYTES)]
    )
    signed_in(client, world.other_student)

    assert client.get(chat_url(world.group_chat)).status_code == 404
    assert client.post(chat_url(world.group_chat), {"text": "Влез"}).status_code == 404
    assert client.get(reverse("chats:attachment", kwargs={"pk": message.attachments.get().pk})).status_code == 404
    assert not Message.objects.filter(text="Влез").exists()


def test_a_removed_member_no_longer_reads_the_chat(world, client):
    services.member_remove(actor=world.curator.user, chat=world.group_chat, member=world.students[2])

    response = signed_in(client, world.students[2]).get(chat_url(world.group_chat))

    assert response.status_code == 404


def test_another_colleges_administrator_gets_404(world, client, other_college):
    from colleges.models import Role
    from tests import factories

    stranger = factories.MembershipFactory(college=other_college, role=Role.ADMINISTRATOR)
    from tests.conftest import add_totp

    add_totp(stranger.user)

    response = signed_in(client, stranger).get(chat_url(world.group_chat))

    assert response.status_code == 404


def test_a_muted_member_gets_the_refusal_and_nothing_is_saved(world, client):
    import datetime

    from django.utils import timezone

    services.member_mute(
        actor=world.curator.user,
        chat=world.group_chat,
        member=world.students[1],
        until=timezone.now() + datetime.timedelta(hours=1),
    )
    signed_in(client, world.students[1])

    page = client.get(chat_url(world.group_chat)).content.decode()
    response = client.post(chat_url(world.group_chat), {"text": "Всё равно напишу"})

    assert 'id="composer-refusal"' in page and "Вы не можете писать в этот чат до" in page
    assert '<form id="composer"' not in page
    assert response.status_code == 403 and "Вы не можете писать в этот чат до" in response.content.decode()
    assert not Message.objects.filter(text="Всё равно напишу").exists()


def test_a_read_only_chat_says_so_and_has_no_composer(world, client):
    services.chat_set_status(actor=world.curator.user, chat=world.group_chat, status=Chat.Status.READ_ONLY)

    body = signed_in(client, world.students[0]).get(chat_url(world.group_chat)).content.decode()

    assert "только для чтения" in body and texts.READ_ONLY in body and '<form id="composer"' not in body


def test_load_earlier_is_a_cursor_link(world, client):
    for i in range(55):
        services.message_post(actor=world.curator.user, chat=world.group_chat, text=f"Сообщение {i}")
    signed_in(client, world.students[0])

    first = client.get(chat_url(world.group_chat))
    older = client.get(chat_url(world.group_chat) + first.context["older_url"])

    assert "Загрузить ранее" in first.content.decode()
    assert older.context["history"].last_id == Message.objects.get(text="Сообщение 4").pk


def test_search_within_a_chat(world, client):
    services.message_post(actor=world.curator.user, chat=world.group_chat, text="Контрольная по математике")

    response = signed_in(client, world.students[0]).get(
        reverse("chats:search", kwargs={"pk": world.group_chat.pk}), {"q": "Контрольная"}
    )

    assert response.status_code == 200 and len(response.context["results"]) == 1


def fill(world, chats: int, messages: int):
    teacher = world.other_teacher
    for n in range(chats):
        chat = services.chat_create(actor=teacher.user, college=world.college, kind=ChatKind.FREE, title=f"Чат {n}")
        services.member_add(actor=teacher.user, chat=chat, member=world.students[0])
        for i in range(messages):
            services.message_post(
                actor=teacher.user,
                chat=chat,
                text=f"Новость {i}",
                attachments=[upload("a.pdf", PDF_BYTES)] if i % 2 else [],
            )
            services.reaction_toggle(actor=world.students[0].user, message=Message.objects.latest("pk"), emoji="👍")


@pytest.mark.parametrize(("chats", "messages"), [(1, 1), (8, 6)])
def test_the_chat_list_page_asks_a_fixed_number_of_queries(world, client, django_assert_num_queries, chats, messages):
    fill(world, chats, messages)
    signed_in(client, world.students[0])
    client.get(reverse("chats:list"))  # the session's first request loads what every later one finds cached

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("chats:list"))

    assert len(response.context["items"]) == chats + 2  # the free chats, the college's and the group's


@pytest.mark.parametrize(("chats", "messages"), [(1, 2), (1, 12)])
def test_the_chat_page_asks_a_fixed_number_of_queries(world, client, django_assert_num_queries, chats, messages):
    fill(world, chats, messages)
    chat = Chat.objects.get(kind=ChatKind.FREE)
    signed_in(client, world.students[0])
    client.get(chat_url(chat))
    services.message_post(actor=world.other_teacher.user, chat=chat, text="Ещё одно")  # something unread again

    with django_assert_num_queries(CHAT_QUERIES):
        response = client.get(chat_url(chat))

    assert response.context["history"].count == messages + 1


def test_reopening_a_read_chat_neither_looks_up_nor_moves_the_marker(world, client, django_assert_num_queries):
    fill(world, 1, 3)
    chat = Chat.objects.get(kind=ChatKind.FREE)
    signed_in(client, world.students[0])
    client.get(chat_url(chat))
    row = ChatMember.objects.get(chat=chat, member=world.students[0])

    with django_assert_num_queries(CHAT_QUERIES - 2):  # no SELECT of the newest id, no UPDATE of the marker
        client.get(chat_url(chat))

    assert ChatMember.objects.get(pk=row.pk).last_read_message_id == row.last_read_message_id
    assert row.last_read_message_id == Message.objects.filter(chat=chat).latest("pk").pk


LIST_QUERIES = 7
CHAT_QUERIES = 10


def test_a_member_turns_this_chats_notifications_off_and_on_from_the_chat_page(world, client):
    push_url = reverse("chats:push", kwargs={"pk": world.group_chat.pk})
    signed_in(client, world.students[0])
    assert "Выключить уведомления этого чата" in client.get(chat_url(world.group_chat)).content.decode()

    response = client.post(push_url, {"enabled": "0"})

    row = ChatMember.objects.get(chat=world.group_chat, member=world.students[0])
    assert response.status_code == 302 and response["Location"] == chat_url(world.group_chat)
    assert row.push_enabled is False
    assert "Включить уведомления этого чата" in client.get(chat_url(world.group_chat)).content.decode()
    client.post(push_url, {"enabled": "1"})
    row.refresh_from_db()
    assert row.push_enabled is True


def test_the_notifications_switch_refuses_a_forged_value_and_outsiders(world, client):
    push_url = reverse("chats:push", kwargs={"pk": world.group_chat.pk})

    assert signed_in(client, world.students[0]).post(push_url, {"enabled": "<script>"}).status_code == 400
    assert signed_in(client, world.other_student).post(push_url, {"enabled": "0"}).status_code == 404
    assert ChatMember.objects.filter(chat=world.group_chat, push_enabled=False).count() == 0
