"""«Объявления» in the browser, on a phone: the director publishes a notice to a group (checking first how
many people will get it), a student of that group finds it on their start page and opens it, and the
director sees «Прочитали 1 из 1»."""

import pytest
from playwright.sync_api import expect

from announcements.models import Announcement, AnnouncementRead
from colleges.models import Role
from tests import factories
from tests.conftest import add_totp
from tests.e2e.helpers import login_as


@pytest.fixture
def school(transactional_db):
    college = factories.CollegeFactory()
    group = factories.StudyGroupFactory(college=college, name="ИС-21")
    factories.StudyGroupFactory(college=college, name="ТМ-32")
    director = factories.MembershipFactory(college=college, role=Role.ADMINISTRATION).user
    add_totp(director)
    student = factories.EnrollmentFactory(group=group).student.user
    return {"college": college, "group": group, "director": director, "student": student}


def test_director_publishes_to_a_group_and_its_student_reads_it(live_server, phone_context, school):
    director_page = phone_context.new_page()
    login_as(director_page, live_server, school["director"])
    director_page.goto(f"{live_server.url}/announcements/")
    expect(director_page.get_by_text("Объявлений пока нет.")).to_be_visible()
    director_page.get_by_role("button", name="Написать объявление").click()
    director_page.get_by_label("Заголовок").fill("Экскурсия на завод")
    director_page.get_by_label("Текст").fill("Сбор в 9:00 у входа.\nПодробности: https://college.example/trip")
    director_page.select_option("select[name=audience]", "groups")
    director_page.check(f"input[name=groups][value='{school['group'].pk}']")
    director_page.get_by_role("button", name="Проверить, кто получит").click()
    expect(director_page.get_by_test_id("recipients")).to_have_text("Получат: 1 человек")
    director_page.get_by_role("button", name="Опубликовать").click()
    expect(director_page.get_by_text("Объявление опубликовано.")).to_be_visible()
    expect(director_page.get_by_test_id("read-figure")).to_have_text("Прочитали 0 из 1")
    assert director_page.evaluate("document.documentElement.scrollWidth") <= 390
    announcement = Announcement.objects.get()

    student_context = phone_context.browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="ru-RU"
    )
    student_page = student_context.new_page()
    login_as(student_page, live_server, school["student"])
    student_page.goto(f"{live_server.url}/")
    student_page.get_by_test_id("unread-announcement").click()
    expect(student_page.get_by_role("heading", name="Экскурсия на завод")).to_be_visible()
    expect(student_page.get_by_role("link", name="https://college.example/trip")).to_be_visible()
    assert student_page.evaluate("document.documentElement.scrollWidth") <= 390
    student_context.close()
    assert AnnouncementRead.objects.filter(announcement=announcement, user=school["student"]).exists()

    director_page.reload()
    expect(director_page.get_by_test_id("read-figure")).to_have_text("Прочитали 1 из 1")
