"""The support API: the same rules as the pages, under /api/v1/colleges/<id>/support/tickets/."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from support import messages, services
from support.models import Ticket, Topic
from tests.accounts.helpers import api_key_for
from tests.college_api import api_url
from tests.support.files import pdf, png, upload

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
    return client


def url(sw, name="api:support-ticket-list", **kwargs) -> str:
    return api_url(name, sw.college, **kwargs)


def test_a_student_asks_and_reads_the_thread(sw):
    client = api(sw.users["student"])

    created = client.post(url(sw), {"topic": Topic.VIDEO, "text": "Не включается камера"}, format="json")
    ticket = Ticket.objects.get()
    services.ticket_reply(actor=sw.users["administrator"], ticket=ticket, text="Разрешите доступ к камере")
    detail = client.get(url(sw, "api:support-ticket-detail", pk=ticket.pk))

    assert created.status_code == 201 and created.json()["status"] == "open"
    assert detail.json()["status"] == "answered"
    assert [(r["side"], r["text"]) for r in detail.json()["replies"]] == [("college", "Разрешите доступ к камере")]


def test_the_administrator_lists_the_college_and_a_student_only_their_own(sw):
    mine = sw.ask(text="Мой")
    theirs = sw.ask("classmate", text="Чужой")

    student = api(sw.users["student"]).get(url(sw)).json()["results"]
    administrator = api(sw.users["administrator"]).get(url(sw)).json()["results"]

    assert [t["id"] for t in student] == [mine.pk]
    assert sorted(t["id"] for t in administrator) == sorted([mine.pk, theirs.pk])


def test_the_list_filters_by_status_and_words(sw):
    sw.ask(text="Не приходит код")
    answered = sw.ask("parent", text="Где чат родителей")
    services.ticket_reply(actor=sw.users["administrator"], ticket=answered, text="В разделе «Чаты»")
    client = api(sw.users["administrator"])

    by_status = client.get(url(sw), {"status": "answered"}).json()["results"]
    by_words = client.get(url(sw), {"q": "КОД"}).json()["results"]

    assert [t["id"] for t in by_status] == [answered.pk]
    assert [t["text"] for t in by_words] == ["Не приходит код"]


@pytest.mark.parametrize("size", [2, 15])
def test_the_list_asks_the_same_queries_whatever_its_size(sw, size, django_assert_num_queries):
    for n in range(size):
        sw.ask("classmate" if n % 2 else "student", text=f"Вопрос {n}")
    client = api(sw.users["administrator"])

    # The key, the memberships, the page's count and its rows with their authors.
    with django_assert_num_queries(4):
        response = client.get(url(sw))

    assert response.json()["count"] == size


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "Это поле не может быть пустым."),
        ("я" * 20_000, messages.TEXT_TOO_LONG.format(limit=services.TEXT_MAX, length=20_000)),
    ],
)
def test_bad_questions_are_400_with_a_russian_message(sw, text, error):
    response = api(sw.users["student"]).post(url(sw), {"topic": Topic.OTHER, "text": text}, format="json")

    assert response.status_code == 400
    assert error in str(response.json())
    assert not Ticket.objects.exists()


def test_a_forged_or_foreign_id_is_404(sw):
    foreign = services.ticket_create(
        actor=sw.users["other_administrator"], college=sw.other_college, topic=Topic.OTHER, text="Вопрос"
    )
    client = api(sw.users["administrator"])

    assert client.get(url(sw, "api:support-ticket-detail", pk=foreign.pk)).status_code == 404
    assert client.get(url(sw, "api:support-ticket-detail", pk=987654321)).status_code == 404


def test_a_parent_of_another_group_cannot_read_or_answer_a_question(sw):
    ticket = sw.ask("parent")
    client = api(sw.users["other_parent"])

    assert client.get(url(sw, "api:support-ticket-detail", pk=ticket.pk)).status_code == 404
    reply = client.post(url(sw, "api:support-ticket-reply", pk=ticket.pk), {"text": "Ответ"}, format="json")

    assert reply.status_code == 404
    assert not ticket.replies.exists()


def test_the_administrator_passes_on_once_then_is_refused_in_russian(sw):
    ticket = sw.ask()
    client = api(sw.users["administrator"])

    first = client.post(url(sw, "api:support-ticket-escalate", pk=ticket.pk))
    second = client.post(url(sw, "api:support-ticket-escalate", pk=ticket.pk))

    assert first.status_code == 200 and first.json()["escalated"] is True
    assert second.status_code == 403 and second.json()["detail"] == messages.NO_ESCALATE


def test_the_author_closes_and_reopens(sw):
    ticket = sw.ask()
    client = api(sw.users["student"])

    closed = client.post(url(sw, "api:support-ticket-close", pk=ticket.pk))
    reopened = client.post(url(sw, "api:support-ticket-reopen", pk=ticket.pk))

    assert closed.json()["status"] == "closed" and closed.json()["closed_at"]
    assert reopened.json()["status"] == "open"


def test_the_schema_describes_the_support_endpoints(sw, client):
    client.force_login(sw.users["student"])

    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    paths = [p for p in schema["paths"] if "/support/tickets/" in p]
    assert "/api/v1/colleges/{college_id}/support/tickets/" in paths
    assert "/api/v1/colleges/{college_id}/support/tickets/{id}/escalate/" in paths


# --- Attachments: multipart in, listed with their download addresses out ------------------------------


def test_a_question_with_a_screenshot_is_posted_as_multipart_and_listed_with_its_download_url(sw, client):
    response = api(sw.users["student"]).post(
        url(sw), {"topic": Topic.ACCESS, "text": "Вот экран", "attachments": [png(), pdf()]}, format="multipart"
    )

    assert response.status_code == 201
    ticket = Ticket.objects.get()
    image, document = ticket.attachments.order_by("id")
    files = response.json()["attachments"]
    assert [(f["id"], f["name"], f["content_type"]) for f in files] == [
        (image.pk, "Снимок экрана.png", "image/png"),
        (document.pk, "Ошибка.pdf", "application/pdf"),
    ]
    assert files[0]["url"] == "http://testserver" + reverse("support:attachment", kwargs={"pk": image.pk})
    client.force_login(sw.users["student"])
    assert client.get(files[1]["url"]).status_code == 200  # the same permission-checked view as the page


def test_a_reply_with_a_screenshot_lists_it_under_the_reply(sw):
    ticket = sw.ask()

    response = api(sw.users["administrator"]).post(
        url(sw, "api:support-ticket-reply", pk=ticket.pk),
        {"text": "Нажмите тут", "attachments": png()},
        format="multipart",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["attachments"] == []
    [reply] = body["replies"]
    assert [f["name"] for f in reply["attachments"]] == ["Снимок экрана.png"]


def test_a_forged_upload_through_the_api_is_400_in_russian_and_saves_nothing(sw, stored_files):
    forged = upload("screen.png", b"<svg onload=alert(1)>", "image/png")

    response = api(sw.users["student"]).post(
        url(sw), {"topic": Topic.ACCESS, "text": "Вот", "attachments": [forged]}, format="multipart"
    )

    assert response.status_code == 400
    assert messages.ATTACHMENT_REFUSED.format(name="screen.png") in str(response.json())
    assert not Ticket.objects.exists() and stored_files() == []


def test_more_than_three_files_through_the_api_are_refused(sw):
    ticket = sw.ask()

    response = api(sw.users["student"]).post(
        url(sw, "api:support-ticket-reply", pk=ticket.pk),
        {"text": "Ещё", "attachments": [png(), png(), png(), png()]},
        format="multipart",
    )

    assert response.status_code == 400
    assert messages.TOO_MANY_ATTACHMENTS.format(limit=3, count=4) in str(response.json())
    assert not ticket.replies.exists()


@pytest.mark.parametrize("size", [1, 6])
def test_a_thread_with_files_asks_the_same_queries_whatever_its_size(sw, size, django_assert_num_queries):
    ticket = services.ticket_create(
        actor=sw.users["student"], college=sw.college, topic=Topic.ACCESS, text="Вопрос", attachments=[png()]
    )
    for n in range(size):
        services.ticket_reply(actor=sw.users["administrator"], ticket=ticket, text=f"Ответ {n}", attachments=[png()])
    client = api(sw.users["student"])

    # The key, the memberships, the ticket, its replies, its files.
    with django_assert_num_queries(5):
        response = client.get(url(sw, "api:support-ticket-detail", pk=ticket.pk))

    assert sum(len(r["attachments"]) for r in response.json()["replies"]) == size
