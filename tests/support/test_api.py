"""The support API: the same rules as the pages, under /api/v1/colleges/<id>/support/tickets/."""

from urllib.parse import quote

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from support import messages, services
from support.models import Ticket, Topic
from tests import factories
from tests.accounts.helpers import api_key_for
from tests.college_api import api_url
from tests.support.files import assert_private_pdf_download, pdf, png, upload

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
    download = url(sw, "api:support-ticket-attachment-detail", ticket_pk=ticket.pk, pk=image.pk)
    assert files[0]["url"] == "http://testserver" + download
    assert files[0]["thumbnail_url"] == "http://testserver" + download + "?thumb=1"
    assert files[1]["thumbnail_url"] is None
    client.force_login(sw.users["student"])
    assert client.get(files[1]["url"]).status_code == 200  # a session gets it as a key does


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


# --- Downloads for a key: the page's permission check and headers, under the API ---------------------


def ask_with(sw, *files):
    return services.ticket_create(
        actor=sw.users["student"], college=sw.college, topic=Topic.ACCESS, text="Вот экран", attachments=list(files)
    )


def download_url(sw, attachment, query="") -> str:
    return url(sw, "api:support-ticket-attachment-detail", ticket_pk=attachment.ticket_id, pk=attachment.pk) + query


def platform_url(attachment, query="") -> str:
    return reverse("api:support-platform-attachment", kwargs={"pk": attachment.pk}) + query


@pytest.mark.parametrize("who", ["student", "administrator"])
def test_the_author_and_the_administrator_download_by_key_with_private_headers(sw, who):
    attachment = ask_with(sw, pdf()).attachments.get()

    response = api(sw.users[who]).get(download_url(sw, attachment))

    assert_private_pdf_download(response)


def test_the_url_the_thread_lists_downloads_for_the_key_that_read_it(sw):
    ticket = ask_with(sw, png())
    client = api(sw.users["student"])
    [listed] = client.get(url(sw, "api:support-ticket-detail", pk=ticket.pk)).json()["attachments"]

    response = client.get(listed["url"] + "?inline=1")

    assert response.status_code == 200 and response["Content-Disposition"].startswith("inline;")
    assert b"".join(response.streaming_content) == ticket.attachments.get().file.open("rb").read()


@pytest.mark.parametrize(
    "who", ["classmate", "parent", "other_parent", "teacher", "administration", "other_administrator", "platform_staff"]
)
def test_anyone_else_with_a_key_gets_404_and_no_file(sw, who):
    attachment = ask_with(sw, png()).attachments.get()

    response = api(sw.users[who]).get(download_url(sw, attachment))

    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response and not getattr(response, "streaming", False)


def test_a_stranger_with_a_key_gets_404_and_no_key_gets_401(sw):
    attachment = ask_with(sw, png()).attachments.get()

    stranger = api(factories.UserFactory(phone="+79995550003")).get(download_url(sw, attachment))
    anonymous = APIClient().get(download_url(sw, attachment))

    assert stranger.status_code == 404 and anonymous.status_code == 401


def test_a_file_under_another_questions_id_is_404(sw):
    attachment = ask_with(sw, png()).attachments.get()
    own = services.ticket_create(actor=sw.users["student"], college=sw.college, topic=Topic.CHATS, text="Другой")
    address = url(sw, "api:support-ticket-attachment-detail", ticket_pk=own.pk, pk=attachment.pk)

    response = api(sw.users["student"]).get(address)

    assert response.status_code == 404


@pytest.mark.parametrize("path", ["999999999/attachments/1/", "1/attachments/99999999999999999999999/"])
def test_a_forged_id_in_the_download_path_is_404_never_500(sw, path):
    response = api(sw.users["administrator"]).get(url(sw) + path)

    assert response.status_code == 404


def test_the_key_gets_the_small_copy_of_an_image(sw):
    attachment = ask_with(sw, png()).attachments.get()

    response = api(sw.users["student"]).get(download_url(sw, attachment, "?thumb=1"))

    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    assert b"".join(response.streaming_content) == attachment.thumbnail.open("rb").read()


def test_behind_nginx_the_api_hands_the_download_to_the_internal_location(sw, settings):
    settings.SUPPORT_ACCEL_REDIRECT = "/_protected/support/"
    attachment = ask_with(sw, png()).attachments.get()

    response = api(sw.users["student"]).get(download_url(sw, attachment))

    assert response["X-Accel-Redirect"] == "/_protected/support/" + quote(attachment.file.name)
    assert response.content == b"" and response["X-Content-Type-Options"] == "nosniff"


def test_platform_staff_download_by_key_only_once_the_question_is_passed_on(sw):
    ticket = ask_with(sw, png())
    attachment = ticket.attachments.get()
    client = api(sw.users["platform_staff"])

    before = client.get(platform_url(attachment))
    services.ticket_escalate(actor=sw.users["administrator"], ticket=ticket)
    after = client.get(platform_url(attachment))
    small = client.get(platform_url(attachment, "?thumb=1"))

    assert before.status_code == 404
    assert after.status_code == 200 and after["Content-Disposition"].startswith("attachment;")
    assert b"".join(after.streaming_content) == attachment.file.open("rb").read()
    assert small.status_code == 200 and small["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize("who", ["student", "administrator", "other_administrator"])
def test_members_get_404_on_platform_staffs_api_download(sw, who):
    ticket = ask_with(sw, png())
    services.ticket_escalate(actor=sw.users["administrator"], ticket=ticket)

    response = api(sw.users[who]).get(platform_url(ticket.attachments.get()))

    assert response.status_code == 404


def test_the_schema_describes_the_downloads(sw, client):
    client.force_login(sw.users["student"])

    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    download = schema["paths"]["/api/v1/colleges/{college_id}/support/tickets/{ticket_pk}/attachments/{id}/"]["get"]
    assert {p["name"] for p in download["parameters"]} >= {"college_id", "ticket_pk", "id", "inline", "thumb"}
    assert "/api/v1/platform/support/attachments/{id}/" in schema["paths"]
    listed = schema["components"]["schemas"]["TicketAttachment"]["properties"]
    assert listed["thumbnail_url"].get("nullable") is True
