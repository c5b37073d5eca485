"""Support in the browser, on a phone: a student asks with a screenshot, the administrator answers and sees
the screenshot, the student reads the answer."""

import pytest
from playwright.sync_api import expect

from colleges.models import Role
from tests import factories
from tests.conftest import add_totp
from tests.e2e.helpers import login_as
from tests.support.files import image_bytes


@pytest.fixture
def school(transactional_db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "support": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    college = factories.CollegeFactory()
    group = factories.StudyGroupFactory(college=college, name="ИС-21")
    student = factories.EnrollmentFactory(group=group).student.user
    administrator = factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR).user
    add_totp(administrator)
    return {"student": student, "administrator": administrator}


def test_a_student_asks_the_administrator_answers_and_the_student_reads_it(live_server, browser, school):
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "ru-RU"}

    # The student finds «Помощь» in the phone menu and asks.
    student_context = browser.new_context(**phone)
    student = student_context.new_page()
    login_as(student, live_server, school["student"])
    student.goto(f"{live_server.url}/")
    student.get_by_test_id("nav-burger").locator("summary").click()
    student.get_by_test_id("nav-burger").get_by_role("link", name="Помощь").click()
    student.get_by_label("Тема").select_option("access")
    student.get_by_label("Вопрос").fill("Не приходит SMS с кодом на второй телефон")
    student.get_by_label("Прикрепить снимок экрана").set_input_files(
        {"name": "Снимок экрана.png", "mimeType": "image/png", "buffer": image_bytes("PNG", size=(390, 844))}
    )
    student.get_by_role("button", name="Отправить вопрос").click()
    expect(student.get_by_text("Вопрос отправлен администратору колледжа")).to_be_visible()
    expect(student.get_by_test_id("ticket-status")).to_have_text("ждёт ответа")
    thumbnail = student.get_by_test_id("attachment-thumbnail")
    expect(thumbnail).to_be_visible()
    # Served by the download view and decoded (a 404 or a refused type would leave it broken): a lazy image
    # loads after it is shown, so wait for it rather than read it at once.
    student.wait_for_function("img => img.complete && img.naturalWidth === 390", arg=thumbnail.element_handle())
    ticket_url = student.url

    # The administrator opens the queue, the question, and answers.
    admin_context = browser.new_context(**phone)
    admin = admin_context.new_page()
    login_as(admin, live_server, school["administrator"])
    admin.goto(f"{live_server.url}/help/queue/")
    expect(admin.get_by_test_id("open-count")).to_have_text("Ждут ответа: 1")
    admin.get_by_test_id("ticket-row").get_by_role("link").click()
    expect(admin.get_by_text("Не приходит SMS с кодом на второй телефон")).to_be_visible()
    expect(admin.get_by_test_id("attachment-thumbnail")).to_have_attribute("alt", "Снимок экрана: Снимок экрана.png")
    admin.get_by_label("Ответ").fill("Код приходит на номер, с которым вы присоединились. Войдите с него.")
    admin.get_by_role("button", name="Ответить").click()
    expect(admin.get_by_text("Ответ отправлен.")).to_be_visible()
    admin_context.close()

    # The student sees the answer on the question's page.
    student.goto(ticket_url)
    expect(student.get_by_test_id("ticket-status")).to_have_text("есть ответ")
    expect(student.get_by_test_id("thread")).to_contain_text("Войдите с него.")
    assert student.evaluate("document.documentElement.scrollWidth") <= 390
    student_context.close()
