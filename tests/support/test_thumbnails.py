"""The small copies the thread shows instead of full-size screenshots: made once, by the service, beside
the file; handed out by the same permission-checked views; a hostile image refused at upload, never a 500."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from support import messages, services
from support.models import Ticket, TicketAttachment, Topic
from tests.support.files import bomb_png, broken_png, image_bytes, pdf, png, screenshot_bytes, upload

pytestmark = pytest.mark.django_db


def ask(sw, *files):
    return services.ticket_create(
        actor=sw.users["student"], college=sw.college, topic=Topic.ACCESS, text="Вот экран", attachments=list(files)
    )


def thumb_url(attachment, *, platform=False) -> str:
    name = "support:platform_attachment" if platform else "support:attachment"
    return reverse(name, kwargs={"pk": attachment.pk}) + "?thumb=1"


def picture(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


# --- Made once, at upload ----------------------------------------------------------------------------


def test_a_phone_screenshot_gets_a_jpeg_copy_at_most_480_wide_and_far_smaller(sw):
    original = screenshot_bytes((1170, 2532))

    attachment = ask(sw, upload("Снимок.png", original, "image/png")).attachments.get()

    small = attachment.thumbnail.open("rb").read()
    image = picture(small)
    assert image.format == "JPEG"
    assert image.width == 480 and image.height == round(2532 * 480 / 1170)
    assert len(original) > 1_000_000 and len(small) * 10 < len(original)
    assert attachment.file.open("rb").read() == original  # the original is kept as it came


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
)
def test_every_accepted_image_format_gets_a_copy(sw, fmt, content_type):
    attachment = ask(sw, upload(f"x.{fmt.lower()}", image_bytes(fmt, size=(900, 600)), content_type)).attachments.get()

    assert picture(attachment.thumbnail.open("rb").read()).size == (480, 320)


def test_a_small_image_is_not_enlarged(sw):
    attachment = ask(sw, png()).attachments.get()

    assert picture(attachment.thumbnail.open("rb").read()).size == (39, 84)


def test_a_scrolling_screenshot_is_fitted_into_1440_high(sw):
    attachment = ask(sw, upload("лента.png", image_bytes("PNG", size=(1000, 8000)), "image/png")).attachments.get()

    assert picture(attachment.thumbnail.open("rb").read()).size == (180, 1440)


def test_a_transparent_screenshot_is_laid_on_white(sw):
    buffer = io.BytesIO()
    Image.new("RGBA", (600, 600), (0, 0, 0, 0)).save(buffer, format="PNG")

    attachment = ask(sw, upload("прозрачный.png", buffer.getvalue(), "image/png")).attachments.get()

    assert picture(attachment.thumbnail.open("rb").read()).getpixel((10, 10)) == (255, 255, 255)


def test_a_photo_turned_by_its_camera_tag_is_copied_upright(sw):
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # «rotate 90° clockwise to show»
    Image.new("RGB", (1600, 800), (200, 30, 30)).save(buffer, format="JPEG", exif=exif)

    attachment = ask(sw, upload("фото.jpg", buffer.getvalue(), "image/jpeg")).attachments.get()

    assert picture(attachment.thumbnail.open("rb").read()).size == (480, 960)


def test_a_pdf_gets_no_copy(sw):
    attachment = ask(sw, pdf()).attachments.get()

    assert not attachment.thumbnail


def test_a_reply_with_a_screenshot_gets_its_copy_too(sw, stored_files):
    ticket = ask(sw)

    reply = services.ticket_reply(actor=sw.users["administrator"], ticket=ticket, text="Сюда", attachments=[png()])

    attachment = reply.attachments.get()
    assert attachment.thumbnail and sorted([attachment.file.name, attachment.thumbnail.name]) == stored_files()


# --- A hostile or broken image: refused at upload with a reason, nothing kept -------------------------


def test_a_decompression_bomb_that_passed_the_content_check_is_refused_and_nothing_is_saved(sw, stored_files):
    with pytest.raises(ValidationError) as error:
        ask(sw, upload("бомба.png", bomb_png(), "image/png"))

    assert error.value.message_dict["attachments"] == [messages.IMAGE_TOO_LARGE.format(name="бомба.png", limit="40")]
    assert not Ticket.objects.exists() and stored_files() == []


def test_an_image_over_the_configured_pixels_is_refused(sw, settings, stored_files):
    settings.SUPPORT_THUMBNAIL_MAX_PIXELS = 1_500_000

    with pytest.raises(ValidationError) as error:
        ask(sw, upload("большой.png", image_bytes("PNG", size=(1500, 1001)), "image/png"))

    assert error.value.message_dict["attachments"] == [messages.IMAGE_TOO_LARGE.format(name="большой.png", limit="1,5")]
    assert stored_files() == []


def test_a_jpeg_photo_is_measured_at_the_scale_it_is_decoded(sw, settings):
    settings.SUPPORT_THUMBNAIL_MAX_PIXELS = 1_500_000

    attachment = ask(sw, upload("фото.jpg", image_bytes("JPEG", size=(2400, 1600)), "image/jpeg")).attachments.get()

    assert picture(attachment.thumbnail.open("rb").read()).size == (480, 320)


def test_an_image_whose_pixels_do_not_decode_is_refused_and_nothing_is_saved(sw, stored_files):
    ticket = ask(sw)

    with pytest.raises(ValidationError) as error:
        services.ticket_reply(
            actor=sw.users["student"], ticket=ticket, text="Вот", attachments=[png(), upload("битый.png", broken_png())]
        )

    assert error.value.message_dict["attachments"] == [messages.IMAGE_BROKEN.format(name="битый.png")]
    assert not ticket.replies.exists() and stored_files() == []


def test_a_broken_image_on_the_page_is_a_400_with_the_reason(sw, client_for, stored_files):
    response = client_for(sw.users["student"]).post(
        reverse("support:help"),
        {"topic": Topic.ACCESS, "text": "Вот", "attachments": [upload("битый.png", broken_png(), "image/png")]},
    )

    assert response.status_code == 400
    assert messages.IMAGE_BROKEN.format(name="битый.png") in response.content.decode()
    assert not Ticket.objects.exists() and stored_files() == []


def test_a_bomb_through_the_api_is_a_400_in_russian(sw):
    from tests.support.test_api import api, url

    bomb = upload("бомба.png", bomb_png())

    response = api(sw.users["student"]).post(
        url(sw), {"topic": Topic.ACCESS, "text": "Вот", "attachments": [bomb]}, format="multipart"
    )

    assert response.status_code == 400
    assert messages.IMAGE_TOO_LARGE.format(name="бомба.png", limit="40") in str(response.json())


# --- Shown by the page, through the permission-checked views --------------------------------------------


def test_the_thread_shows_the_copy_and_links_the_full_picture(sw, client_for):
    ticket = ask(sw, png())
    attachment = ticket.attachments.get()
    client = client_for(sw.users["student"])

    page = client.get(reverse("support:ticket", kwargs={"pk": ticket.pk})).content.decode()
    small = client.get(thumb_url(attachment))

    assert f'<img src="{thumb_url(attachment)}"' in page
    assert small.status_code == 200 and small["Content-Type"] == "image/jpeg"
    assert small["Content-Disposition"].startswith("inline;") and small["X-Content-Type-Options"] == "nosniff"
    assert b"".join(small.streaming_content) == attachment.thumbnail.open("rb").read()


def test_an_image_stored_before_copies_were_made_shows_the_original(sw, client_for):
    attachment = ask(sw, png()).attachments.get()
    attachment.thumbnail.delete(save=False)
    TicketAttachment.objects.filter(pk=attachment.pk).update(thumbnail="")

    response = client_for(sw.users["student"]).get(thumb_url(attachment))

    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert b"".join(response.streaming_content) == attachment.file.open("rb").read()


def test_a_pdf_asked_for_its_copy_is_still_a_download(sw, client_for):
    attachment = ask(sw, pdf()).attachments.get()

    response = client_for(sw.users["student"]).get(thumb_url(attachment))

    assert response["Content-Type"] == "application/pdf" and response["Content-Disposition"].startswith("attachment;")


def test_behind_nginx_the_copy_is_handed_to_the_internal_location(sw, client_for, settings):
    settings.SUPPORT_ACCEL_REDIRECT = "/_protected/support/"
    attachment = ask(sw, png()).attachments.get()

    response = client_for(sw.users["student"]).get(thumb_url(attachment))

    assert response["X-Accel-Redirect"] == "/_protected/support/" + attachment.thumbnail.name
    assert response["Content-Type"] == "image/jpeg" and response.content == b""


@pytest.mark.parametrize("who", ["classmate", "parent", "teacher", "administration", "other_administrator"])
def test_anyone_else_gets_404_for_the_copy(sw, client_for, who):
    attachment = ask(sw, png()).attachments.get()

    response = client_for(sw.users[who]).get(thumb_url(attachment))

    assert response.status_code == 404 and not getattr(response, "streaming", False)


def test_platform_staff_see_the_copy_only_once_the_question_is_passed_on(sw, client_for):
    ticket = ask(sw, png())
    attachment = ticket.attachments.get()
    client = client_for(sw.users["platform_staff"])

    before = client.get(thumb_url(attachment, platform=True))
    services.ticket_escalate(actor=sw.users["administrator"], ticket=ticket)
    after = client.get(thumb_url(attachment, platform=True))
    page = client.get(reverse("support:platform_ticket", kwargs={"pk": ticket.pk})).content.decode()

    assert before.status_code == 404
    assert after.status_code == 200 and after["Content-Type"] == "image/jpeg"
    assert f'<img src="{thumb_url(attachment, platform=True)}"' in page
