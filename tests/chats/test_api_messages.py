"""The chats API: history, posting, editing, moderation, reactions, search, attachments and reports."""

import datetime

import pytest
from django.utils import timezone

from chats import services, texts
from chats.models import ChatKind, ChatMember, Message, MessageAttachment, MessageReport
from tests.chats.api_helpers import api, messages_url
from tests.chats.conftest import EXE_BYTES, PDF_BYTES, upload
from tests.chats.test_selectors import fill_history
from tests.college_api import api_url

pytestmark = pytest.mark.django_db


def post(world, membership, chat=None, **body):
    return api(membership).post(messages_url(world, chat or world.group_chat), body, format="json")


def test_history_reads_backwards_by_the_cursor(world):
    chat = world.group_chat
    sent = [services.message_post(actor=world.curator.user, chat=chat, text=f"Новость {n}") for n in range(5)]
    client = api(world.students[0])

    newest = client.get(messages_url(world, chat), {"limit": 2}).json()
    older = client.get(messages_url(world, chat), {"limit": 2, "before": newest["before"]}).json()

    assert [m["text"] for m in newest["results"]] == ["Новость 3", "Новость 4"]
    assert newest["has_more"] is True and newest["before"] == sent[3].pk
    assert [m["text"] for m in older["results"]] == ["Новость 1", "Новость 2"]


@pytest.mark.parametrize("count", [2, 9])
def test_history_asks_the_same_queries_whatever_its_size(world, django_assert_num_queries, count):
    fill_history(world, count)
    client = api(world.students[0])
    url = messages_url(world, world.group_chat)

    # Key and memberships (2), the viewer's row with the chat (1), the page with its authors and replies,
    # then its attachments and reactions (3: the text's HTML, mentions included, is stored with it);
    # the roles come with the memberships.
    with django_assert_num_queries(6):
        response = client.get(url)

    assert len(response.json()["results"]) == count


def test_a_member_posts_with_a_reply_and_a_mention(world):
    first = services.message_post(actor=world.curator.user, chat=world.group_chat, text="Кто дежурит?")
    name = world.students[1].user.last_name

    response = post(world, world.students[0], text=f"Я и @{name}", reply_to=first.pk)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reply_to"]["id"] == first.pk
    assert f'data-member="{world.students[1].pk}"' in body["html"]
    assert body["author"]["id"] == world.students[0].pk


def test_script_tags_are_stored_as_text_and_rendered_inert(world):
    typed = '<script>alert("x")</script><img src=x onerror=alert(1)>'

    response = post(world, world.students[0], text=typed)

    assert response.status_code == 201
    assert Message.objects.get(pk=response.json()["id"]).text == typed
    assert "<script" not in response.json()["html"] and "<img" not in response.json()["html"]
    assert "&lt;script&gt;" in response.json()["html"]


def test_a_muted_member_is_refused_with_the_reason_and_nothing_is_saved(world):
    student = world.students[0]
    ChatMember.objects.filter(chat=world.group_chat, member=student).update(
        muted_until=timezone.now() + datetime.timedelta(hours=1)
    )
    before = Message.objects.count()

    response = post(world, student, text="Можно?")

    assert response.status_code == 403
    assert response.json()["detail"].startswith("Вы не можете писать в этот чат до")
    assert Message.objects.count() == before


def test_a_removed_member_can_neither_read_nor_post(world):
    chat = services.chat_create(actor=world.curator.user, college=world.college, kind=ChatKind.FREE, title="Кружок")
    student = world.students[0]
    services.member_add(actor=world.curator.user, chat=chat, member=student)
    services.member_remove(actor=world.curator.user, chat=chat, member=student)

    read = api(student).get(messages_url(world, chat))
    posted = post(world, student, chat, text="Я вернулся")

    assert (read.status_code, posted.status_code) == (404, 404)
    assert not chat.messages.filter(kind=Message.Kind.TEXT).exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"text": "я" * 4001}, "text", texts.MESSAGE_TOO_LONG.format(limit=4000)),
        ({"text": "   "}, "text", texts.EMPTY_MESSAGE),
        ({"text": "a\x00b"}, "text", None),
        ({"text": "Ответ", "reply_to": "abc"}, "reply_to", None),
        ({"text": "Ответ", "reply_to": 10**20}, "reply_to", None),
        ({"text": "Ответ", "mentions": ["²"]}, "mentions", None),
    ],
)
def test_bad_message_input_is_a_russian_400_and_saves_nothing(world, body, field, message):
    before = Message.objects.count()

    response = post(world, world.students[0], **body)

    assert response.status_code == 400, response.json()
    errors = response.json()[field]
    text = str(errors)
    assert (message in text) if message else any("а" <= ch <= "я" for ch in text.lower()), text
    assert Message.objects.count() == before


def test_a_reply_to_a_message_of_another_chat_is_refused(world):
    elsewhere = services.message_post(
        actor=world.subject_teacher.user, chat=world.chat(ChatKind.SUBJECT), text="В учебном чате"
    )

    response = post(world, world.students[0], text="Ответ", reply_to=elsewhere.pk)

    assert response.status_code == 400
    assert response.json() == {"reply_to": [texts.REPLY_ELSEWHERE]}


def test_files_are_checked_by_content_and_served_to_members(world):
    client = api(world.students[0])
    url = messages_url(world, world.group_chat)

    forged = client.post(url, {"text": "Вот", "attachments": [upload("reshenie.pdf", EXE_BYTES)]}, format="multipart")
    good = client.post(url, {"attachments": [upload("Решение.pdf", PDF_BYTES)]}, format="multipart")
    download = api(world.students[1]).get(good.json()["attachments"][0]["download_url"])

    assert forged.status_code == 400 and "attachments" in forged.json()
    assert not MessageAttachment.objects.filter(original_name__startswith="reshenie").exists()
    assert good.status_code == 201 and good.json()["attachments"][0]["name"] == "Решение.pdf"
    assert download.status_code == 200
    assert b"".join(download.streaming_content if download.streaming else [download.content]) == PDF_BYTES


def test_the_author_edits_and_deletes_and_others_see_no_text(world):
    student = world.students[0]
    sent = post(world, student, text="Черновик").json()
    client = api(student)

    edited = client.patch(messages_url(world, world.group_chat, sent["id"]), {"text": "Исправлено"}, format="json")
    stranger = api(world.students[1]).patch(messages_url(world, world.group_chat, sent["id"]), {"text": "Моё"})
    deleted = client.delete(messages_url(world, world.group_chat, sent["id"]))
    seen = api(world.students[1]).get(messages_url(world, world.group_chat, sent["id"])).json()

    assert edited.status_code == 200 and edited.json()["text"] == "Исправлено" and edited.json()["edited_at"]
    assert stranger.status_code == 403
    assert deleted.status_code == 204
    assert (seen["deleted"], seen["text"], seen["html"]) == (True, "", texts.DELETED_PLACEHOLDER)


def test_a_moderator_deletes_with_a_reason_only_moderators_read(world):
    sent = post(world, world.students[0], text="Грубость").json()
    url = messages_url(world, world.group_chat, sent["id"], "moderate-delete")

    denied = api(world.students[1]).post(url, {"reason": "Просто так"})
    done = api(world.curator).post(url, {"reason": "Оскорбление"})
    member_view = api(world.students[1]).get(messages_url(world, world.group_chat, sent["id"])).json()

    assert denied.status_code == 403 and denied.json() == {"detail": texts.MODERATE_DENIED}
    assert done.status_code == 200 and done.json()["delete_reason"] == "Оскорбление"
    assert member_view["text"] == "" and member_view["delete_reason"] == ""
    assert member_view["html"] == texts.MODERATED_PLACEHOLDER and member_view["moderated"] is True


def test_a_moderator_pins_and_unpins(world):
    sent = services.message_post(actor=world.students[0].user, chat=world.group_chat, text="Расписание")
    client = api(world.curator)

    pinned = client.post(messages_url(world, world.group_chat, sent.pk, "pin"))
    listed = api(world.students[1]).get(api_url("api:chat-pinned", world.college, pk=world.group_chat.pk)).json()
    unpinned = client.post(messages_url(world, world.group_chat, sent.pk, "unpin"))
    denied = api(world.students[1]).post(messages_url(world, world.group_chat, sent.pk, "pin"))

    assert pinned.json()["pinned"] is True and [m["id"] for m in listed] == [sent.pk]
    assert unpinned.json()["pinned"] is False
    assert denied.status_code == 403


def test_a_reaction_toggles(world):
    sent = services.message_post(actor=world.curator.user, chat=world.group_chat, text="Сдаём в пятницу")
    client = api(world.students[0])
    url = messages_url(world, world.group_chat, sent.pk, "react")

    added = client.post(url, {"emoji": "👍"}).json()
    summary = client.get(messages_url(world, world.group_chat, sent.pk)).json()["reactions"]
    removed = client.post(url, {"emoji": "👍"}).json()
    unknown = client.post(url, {"emoji": "🙈"})

    assert (added["added"], removed["added"]) == (True, False)
    assert summary == [{"emoji": "👍", "count": 1, "mine": True}]
    assert unknown.status_code == 400


def test_search_finds_only_in_my_chats(world):
    services.message_post(actor=world.curator.user, chat=world.group_chat, text="Перенос экзамена на среду")
    other = world.chat(ChatKind.STUDY_GROUP, world.other_group)
    services.message_post(actor=world.other_student.user, chat=other, text="Экзамена у нас не будет")

    everywhere = api(world.students[0]).get(api_url("api:chat-search", world.college), {"q": "экзамена"})
    here = api(world.students[0]).get(messages_url(world, world.group_chat, action="search"), {"q": "экзамена"})

    assert [m["chat"] for m in everywhere.json()] == [world.group_chat.pk]
    assert everywhere.json()[0]["chat_title"] == world.group_chat.title
    assert [m["text"] for m in here.json()] == ["Перенос экзамена на среду"]


@pytest.mark.parametrize(
    ("query", "status"),
    [("q=%00", 400), ("q=a", 400), ("q=%3Cscript%3E", 200), ("q=" + "я" * 300, 200)],
)
def test_search_input_is_answered_without_a_server_error(world, query, status):
    url = api_url("api:chat-search", world.college)

    response = api(world.students[0]).get(f"{url}?{query}")

    assert response.status_code == status
    if status == 400:
        assert any("а" <= ch <= "я" for ch in str(response.json()).lower())


@pytest.mark.parametrize("query", ["before=x", "limit=²", "before=-1", "limit=" + "9" * 30])
def test_bad_history_parameters_are_a_russian_400(world, query):
    response = api(world.students[0]).get(f"{messages_url(world, world.group_chat)}?{query}")

    assert response.status_code == 400
    assert "ожидался номер записи" in response.json()["detail"][0]


def test_reports_are_filed_queued_decided_and_read_by_their_author(world):
    sent = services.message_post(actor=world.students[1].user, chat=world.group_chat, text="Спам-ссылка")
    reporter = api(world.students[0])

    filed = reporter.post(messages_url(world, world.group_chat, sent.pk, "report"), {"reason": "Спам"})
    student_queue = reporter.get(api_url("api:chat-report-list", world.college))
    queue = api(world.curator).get(api_url("api:chat-report-list", world.college)).json()["results"]
    own_decision = reporter.post(api_url("api:chat-report-decide", world.college, pk=filed.json()["id"]))
    decided = api(world.curator).post(
        api_url("api:chat-report-decide", world.college, pk=filed.json()["id"]), {"uphold": True}
    )
    mine = reporter.get(api_url("api:chat-report-mine", world.college)).json()["results"]

    assert filed.status_code == 201
    assert student_queue.status_code == 403
    assert [(r["id"], r["reported"]["text"]) for r in queue] == [(filed.json()["id"], "Спам-ссылка")]
    assert own_decision.status_code == 403
    assert decided.status_code == 200 and decided.json()["status"] == MessageReport.Status.UPHELD
    assert mine[0]["status"] == "upheld" and mine[0]["outcome"] == texts.OUTCOME_UPHELD
    assert Message.objects.get(pk=sent.pk).delete_reason == "Спам"


def test_a_report_is_not_found_by_someone_who_neither_filed_nor_decides_it(world):
    sent = services.message_post(actor=world.students[1].user, chat=world.group_chat, text="Текст")
    report = services.report_create(actor=world.students[0].user, message=sent, reason="Спам")

    response = api(world.students[2]).post(
        api_url("api:chat-report-decide", world.college, pk=report.pk), {"uphold": True}
    )

    assert response.status_code == 404
    assert MessageReport.objects.get(pk=report.pk).status == MessageReport.Status.OPEN


@pytest.mark.parametrize("reports", [1, 6])
def test_the_report_queue_asks_the_same_queries_whatever_its_size(world, django_assert_num_queries, reports):
    for n in range(reports):
        sent = services.message_post(actor=world.students[1].user, chat=world.group_chat, text=f"Текст {n}")
        services.report_create(actor=world.students[0].user, message=sent, reason="Спам")
    client = api(world.curator)

    # Key and memberships (2), may view reports (1), the page and its count (2).
    with django_assert_num_queries(5):
        response = client.get(api_url("api:chat-report-list", world.college))

    assert len(response.json()["results"]) == reports
