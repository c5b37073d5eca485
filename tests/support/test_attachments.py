"""Screenshots and PDFs on questions and replies: checked by content, stored privately, handed only to
whoever sees the question, on both databases."""

from urllib.parse import quote

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.files import human_size
from support import messages, services
from support.models import Ticket, TicketAttachment, TicketReply, Topic
from tests import factories
from tests.support.files import (
    PDF_BYTES,
    SCRIPT_BYTES,
    SVG_BYTES,
    assert_private_pdf_download,
    image_bytes,
    pdf,
    png,
    upload,
)

pytestmark = pytest.mark.django_db


def ask(sw, *files, who="student", text="Не открывается ссылка"):
    return services.ticket_create(
        actor=sw.users[who], college=sw.college, topic=Topic.ACCESS, text=text, attachments=list(files)
    )


def file_url(attachment, *, inline=False) -> str:
    return reverse("support:attachment", kwargs={"pk": attachment.pk}) + ("?inline=1" if inline else "")


# --- What is accepted -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "content_type", "shown"),
    [
        ("Снимок экрана.png", image_bytes("PNG"), "image/png", "Снимок экрана.png"),
        ("IMG_0042.JPG", image_bytes("JPEG"), "image/jpeg", "IMG_0042.jpg"),
        ("screen.webp", image_bytes("WEBP"), "image/webp", "screen.webp"),
        ("Ошибка.pdf", PDF_BYTES, "application/pdf", "Ошибка.pdf"),
        # The name lies the other way: a real PNG called .jpg is stored and offered as the PNG it is.
        ("photo.jpg", image_bytes("PNG"), "image/png", "photo.jpg.png"),
    ],
)
def test_screenshots_and_pdfs_are_kept_with_the_type_their_content_has(sw, name, data, content_type, shown):
    ticket = ask(sw, upload(name, data))

    attachment = ticket.attachments.get()
    assert attachment.content_type == content_type
    assert attachment.original_name == shown
    assert attachment.size == len(data)
    assert attachment.reply is None and attachment.college == sw.college
    assert attachment.file.read() == data


def test_a_reply_carries_its_own_files(sw):
    ticket = ask(sw)

    reply = services.ticket_reply(actor=sw.users["administrator"], ticket=ticket, text="Вот где", attachments=[png()])

    assert list(reply.attachments.values_list("ticket", flat=True)) == [ticket.pk]
    assert ticket.attachments.get().reply == reply


def test_the_stored_name_is_random_and_keeps_nothing_of_the_uploaded_one(sw, stored_files):
    attachment = ask(sw, png("../../etc/passwd.png")).attachments.get()

    assert stored_files() == sorted([attachment.file.name, attachment.thumbnail.name])
    assert attachment.file.name.startswith(f"{sw.college.pk}/") and attachment.file.name.endswith(".png")
    assert attachment.thumbnail.name.startswith(f"{sw.college.pk}/") and attachment.thumbnail.name.endswith(".jpg")
    assert not any("passwd" in name for name in stored_files())


# --- What is refused, and that nothing is saved then ------------------------------------------------

REFUSED = messages.ATTACHMENT_REFUSED.format(name="{name}")


@pytest.mark.parametrize(
    ("name", "data", "shown"),
    [
        ("screenshot.png", SCRIPT_BYTES, "screenshot.png"),  # a shell script renamed .png
        ("logo.svg", SVG_BYTES, "logo.svg"),  # SVG can carry a script: not a screenshot
        ("logo.png", SVG_BYTES, "logo.png"),  # ... nor under another name
        ("report.docx", b"PK\x03\x04" + b"\x00" * 100, "report.docx"),  # an Office file: not what support takes
        ("clip.gif", b"GIF89a" + b"\x00" * 100, "clip.gif"),
    ],
)
def test_a_file_that_is_not_a_screenshot_or_pdf_is_refused_and_nothing_is_saved(sw, stored_files, name, data, shown):
    with pytest.raises(ValidationError) as error:
        ask(sw, upload(name, data, "image/png"))

    assert error.value.message_dict["attachments"] == [REFUSED.format(name=shown)]
    assert not Ticket.objects.exists() and not TicketAttachment.objects.exists()
    assert stored_files() == []


def test_a_polyglot_png_with_a_web_page_inside_is_refused(sw, stored_files):
    polyglot = image_bytes("PNG") + b'<html><body><script>fetch("/api/v1/")</script></body></html>'

    with pytest.raises(ValidationError) as error:
        ask(sw, upload("screen.png", polyglot, "image/png"))

    assert "спрятан код веб-страницы" in error.value.message_dict["attachments"][0]
    assert stored_files() == []


def test_a_pdf_header_before_a_web_page_is_refused(sw, stored_files):
    forged = b"%PDF-1.4\n<html><script>alert(1)</script></html>"

    with pytest.raises(ValidationError) as error:
        ask(sw, upload("Ошибка.pdf", forged, "application/pdf"))

    assert "повреждён или подделан" in error.value.message_dict["attachments"][0]
    assert stored_files() == []


def test_a_file_over_the_limit_is_refused_before_it_is_read(sw, settings, stored_files):
    settings.SUPPORT_ATTACHMENT_MAX_BYTES = 1024
    big = image_bytes("PNG", size=(400, 400)) + b"\x00" * 2048

    with pytest.raises(ValidationError) as error:
        ask(sw, upload("Снимок.png", big, "image/png"))

    assert error.value.message_dict["attachments"] == [
        messages.ATTACHMENT_TOO_BIG.format(name="Снимок.png", size=human_size(len(big)), limit="1 КБ")
    ]
    assert not Ticket.objects.exists() and stored_files() == []


def test_more_than_three_files_on_one_message_are_refused(sw, stored_files):
    with pytest.raises(ValidationError) as error:
        ask(sw, png("1.png"), png("2.png"), png("3.png"), png("4.png"))

    assert error.value.message_dict["attachments"] == [messages.TOO_MANY_ATTACHMENTS.format(limit=3, count=4)]
    assert stored_files() == []


def test_one_bad_file_among_good_ones_saves_none_of_them(sw, stored_files):
    ticket = ask(sw)

    with pytest.raises(ValidationError):
        services.ticket_reply(
            actor=sw.users["student"], ticket=ticket, text="Ещё", attachments=[png(), upload("x.png", SCRIPT_BYTES)]
        )

    assert not TicketReply.objects.exists() and stored_files() == []


def test_files_stored_before_a_failure_are_deleted_with_the_rolled_back_rows(sw, stored_files, monkeypatch):
    def audit_fails(**kwargs):
        raise RuntimeError("the audit trail is down")

    monkeypatch.setattr(services, "audit_log", audit_fails)

    with pytest.raises(RuntimeError):
        ask(sw, png(), pdf())

    assert not TicketAttachment.objects.exists()
    assert stored_files() == []


def test_no_file_is_stored_for_someone_who_may_not_reply(sw, stored_files):
    ticket = ask(sw)

    with pytest.raises(PermissionDenied):
        services.ticket_reply(actor=sw.users["classmate"], ticket=ticket, text="Я тоже", attachments=[png()])

    assert stored_files() == []


# --- Pages: the form, the thread, the download ------------------------------------------------------


def test_a_student_attaches_a_screenshot_from_the_help_page(sw, client_for):
    client = client_for(sw.users["student"])

    response = client.post(
        reverse("support:help"),
        {"topic": Topic.ACCESS, "text": "Вот что я вижу", "attachments": [png(), pdf()]},
        follow=True,
    )

    ticket = Ticket.objects.get()
    image, document = ticket.attachments.order_by("id")
    page = response.content.decode()
    assert f'src="{file_url(image)}?thumb=1"' in page and f'href="{file_url(image)}?inline=1"' in page
    assert f'href="{file_url(document)}"' in page and "Ошибка.pdf" in page


def test_a_forged_upload_on_the_page_is_a_400_with_the_reason_and_no_question(sw, client_for, stored_files):
    client = client_for(sw.users["student"])

    response = client.post(
        reverse("support:help"),
        {"topic": Topic.ACCESS, "text": "Вот", "attachments": [upload("screen.png", SCRIPT_BYTES, "image/png")]},
    )

    assert response.status_code == 400
    assert REFUSED.format(name="screen.png") in response.content.decode()
    assert not Ticket.objects.exists() and stored_files() == []


def test_the_reply_form_takes_a_screenshot(sw, client_for):
    ticket = ask(sw)

    client_for(sw.users["administrator"]).post(
        reverse("support:ticket", kwargs={"pk": ticket.pk}), {"text": "Нажмите сюда", "attachments": png("ответ.png")}
    )

    assert ticket.replies.get().attachments.get().original_name == "ответ.png"


def test_the_page_offers_a_phone_sized_upload_field(sw, client_for):
    page = client_for(sw.users["student"]).get(reverse("support:help")).content.decode()

    assert 'enctype="multipart/form-data"' in page
    assert "Прикрепить снимок экрана" in page
    assert 'accept="image/png,image/jpeg,image/webp,application/pdf"' in page


@pytest.mark.parametrize("who", ["student", "administrator"])
def test_the_author_and_the_administrator_download_with_private_headers(sw, client_for, who):
    attachment = ask(sw, pdf()).attachments.get()

    response = client_for(sw.users[who]).get(file_url(attachment))

    assert_private_pdf_download(response)


def test_an_image_is_shown_inline_but_a_pdf_is_always_a_download(sw, client_for):
    image, document = ask(sw, png(), pdf()).attachments.order_by("id")
    client = client_for(sw.users["student"])

    shown = client.get(file_url(image, inline=True))
    downloaded = client.get(file_url(document, inline=True))

    assert shown["Content-Disposition"].startswith("inline;") and shown["Content-Type"] == "image/png"
    assert downloaded["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("who", ["classmate", "parent", "other_parent", "teacher", "administration"])
def test_another_member_of_the_college_gets_404_and_no_file(sw, client_for, who):
    attachment = ask(sw, png()).attachments.get()

    response = client_for(sw.users[who]).get(file_url(attachment))

    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response and not getattr(response, "streaming", False)


def test_another_colleges_administrator_gets_404(sw, client_for):
    attachment = ask(sw, png()).attachments.get()

    response = client_for(sw.users["other_administrator"]).get(file_url(attachment))

    assert response.status_code == 404


def test_a_stranger_is_sent_to_sign_in_and_then_home_with_no_file(sw, client):
    attachment = ask(sw, png()).attachments.get()
    url = file_url(attachment)

    anonymous = client.get(url)
    client.force_login(factories.UserFactory(phone="+79995550002"))
    signed_in = client.get(url)

    assert anonymous.status_code == 302 and anonymous["Location"] == f"/accounts/login/?next={quote(url)}"
    assert signed_in.status_code == 302 and signed_in["Location"] == reverse("home")


def test_platform_staff_get_a_file_only_once_the_question_is_passed_on(sw, client_for):
    ticket = ask(sw, png())
    attachment = ticket.attachments.get()
    url = reverse("support:platform_attachment", kwargs={"pk": attachment.pk})
    client = client_for(sw.users["platform_staff"])

    before = client.get(url)
    services.ticket_escalate(actor=sw.users["administrator"], ticket=ticket)
    after = client.get(url + "?inline=1")

    assert before.status_code == 404
    assert after.status_code == 200 and after["Content-Disposition"].startswith("inline;")
    assert b"".join(after.streaming_content) == attachment.file.open("rb").read()


def test_members_get_404_on_platform_staffs_download_address(sw, client_for):
    ticket = ask(sw, png())
    services.ticket_escalate(actor=sw.users["administrator"], ticket=ticket)
    url = reverse("support:platform_attachment", kwargs={"pk": ticket.attachments.get().pk})

    response = client_for(sw.users["administrator"]).get(url)

    assert response.status_code == 404


def test_platform_staffs_thread_links_to_their_own_download_address(sw, client_for):
    ticket = ask(sw, png())
    services.ticket_escalate(actor=sw.users["administrator"], ticket=ticket)
    attachment = ticket.attachments.get()

    page = client_for(sw.users["platform_staff"]).get(reverse("support:platform_ticket", kwargs={"pk": ticket.pk}))

    assert reverse("support:platform_attachment", kwargs={"pk": attachment.pk}) in page.content.decode()
    assert file_url(attachment) not in page.content.decode()


def test_behind_nginx_the_download_is_handed_to_the_internal_location(sw, client_for, settings):
    settings.SUPPORT_ACCEL_REDIRECT = "/_protected/support/"
    attachment = ask(sw, png()).attachments.get()

    response = client_for(sw.users["student"]).get(file_url(attachment))

    assert response["X-Accel-Redirect"] == "/_protected/support/" + quote(attachment.file.name)
    assert response.content == b""
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_file_gone_from_storage_is_404(sw, client_for):
    attachment = ask(sw, png()).attachments.get()
    attachment.file.storage.delete(attachment.file.name)

    response = client_for(sw.users["student"]).get(file_url(attachment))

    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/help/files/999999999/", "/help/files/99999999999999999999999/"])
def test_a_forged_file_id_is_404_or_400_never_500(sw, client_for, path):
    response = client_for(sw.users["administrator"]).get(path)

    assert response.status_code in (400, 404)


@pytest.mark.parametrize("size", [1, 6])
def test_a_thread_with_files_asks_as_many_queries_for_1_and_6_replies(sw, client_for, size, django_assert_num_queries):
    ticket = ask(sw, png())
    for n in range(size):
        services.ticket_reply(actor=sw.users["administrator"], ticket=ticket, text=f"Ответ {n}", attachments=[png()])
    client = client_for(sw.users["student"])
    url = reverse("support:ticket", kwargs={"pk": ticket.pk})
    client.get(url)

    # The session's user, the memberships, the ticket, its replies, its files; the menu's part.
    with django_assert_num_queries(6):
        response = client.get(url)

    assert response.content.decode().count('data-testid="attachment-thumbnail"') == size + 1
