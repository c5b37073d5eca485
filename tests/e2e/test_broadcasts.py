"""«Видеосвязь» in the browser, on a phone: a teacher plans a lesson for their group, a student of the group
finds it in the list and «Войти» takes them through the attendance view to the session's video room."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from broadcasts.models import Attendance, Session
from colleges.models import Role
from tests import factories
from tests.e2e.helpers import login_as

ROOM_BASE = "https://video.college.example/rooms/"


@pytest.fixture
def school(transactional_db, settings):
    settings.VIDEO_ROOM_URL = ROOM_BASE
    college = factories.CollegeFactory(time_zone="Asia/Yekaterinburg")
    group = factories.StudyGroupFactory(college=college, name="ИС-21")
    teacher = factories.MembershipFactory(college=college, role=Role.TEACHER)
    factories.SubjectTeacherAssignmentFactory(group=group, teacher=teacher)
    student = factories.EnrollmentFactory(group=group).student
    return {"college": college, "group": group, "teacher": teacher.user, "student": student.user}


def test_teacher_plans_a_lesson_and_the_student_enters_its_room(live_server, browser, school):
    # The teacher, on a phone, plans a lesson starting in ten minutes (the college's time).
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="ru-RU")
    teacher_page = phone.new_page()
    login_as(teacher_page, live_server, school["teacher"])
    teacher_page.goto(f"{live_server.url}/broadcasts/")
    expect(teacher_page.get_by_text("Сеансов видеосвязи пока нет.")).to_be_visible()
    teacher_page.get_by_role("button", name="Запланировать").click()
    starts = timezone.now().astimezone(zoneinfo.ZoneInfo("Asia/Yekaterinburg")) + datetime.timedelta(minutes=10)
    teacher_page.select_option("select[name=kind]", "lesson")
    teacher_page.get_by_label("Тема").fill("Нормализация: третья нормальная форма")
    teacher_page.get_by_label("Начало").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    teacher_page.get_by_label("Длительность, минут").fill("45")
    teacher_page.check(f"input[name=groups][value='{school['group'].pk}']")
    teacher_page.get_by_role("button", name="Запланировать").click()
    expect(teacher_page.get_by_text("Сеанс запланирован.")).to_be_visible()
    expect(teacher_page.get_by_role("heading", name="Нормализация: третья нормальная форма")).to_be_visible()
    assert teacher_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone.close()

    session = Session.objects.get()
    assert session.starts_at.strftime("%H:%M") == starts.astimezone(datetime.UTC).strftime("%H:%M")

    # The student, on a phone, sees it in «Видеосвязь»; «Войти» leads to the room (a stand-in page here),
    # showing the student under their name.
    student_context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="ru-RU"
    )
    student_context.route(
        f"{ROOM_BASE}**", lambda route: route.fulfill(body="<h1>Комната</h1>", content_type="text/html; charset=utf-8")
    )
    student_page = student_context.new_page()
    login_as(student_page, live_server, school["student"])
    student_page.goto(f"{live_server.url}/broadcasts/")
    student_page.get_by_role("link", name="Нормализация: третья нормальная форма").click()
    student_page.get_by_role("button", name="Войти", exact=True).click()
    student_page.wait_for_url(lambda url: url.startswith(ROOM_BASE + session.room_name + "#"))
    expect(student_page.get_by_role("heading", name="Комната")).to_be_visible()
    fragment = student_page.evaluate("decodeURIComponent(location.hash)")
    assert fragment == f'#userInfo.displayName="{school["student"].full_name}"'
    student_context.close()

    assert Attendance.objects.filter(session=session, user=school["student"]).count() == 1


def test_the_link_of_a_reminder_opens_a_page_and_only_its_button_enters(live_server, browser, school):
    session = Session.objects.create(
        college=school["college"],
        kind="lesson",
        title="Консультация перед экзаменом",
        starts_at=timezone.now() + datetime.timedelta(minutes=5),
        ends_at=timezone.now() + datetime.timedelta(minutes=50),
        duration_minutes=45,
        host=school["teacher"].memberships.get(),
        audience="groups",
    )
    session.groups.set([school["group"]])
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="ru-RU")
    phone.route(
        f"{ROOM_BASE}**", lambda route: route.fulfill(body="<h1>Комната</h1>", content_type="text/html; charset=utf-8")
    )
    page = phone.new_page()
    login_as(page, live_server, school["student"])

    # The address in the reminder, opened (as a browser prefetching it would): nothing is recorded yet.
    page.goto(f"{live_server.url}/broadcasts/{session.pk}/join/")
    expect(page.get_by_role("heading", name="Консультация перед экзаменом")).to_be_visible()
    button = page.get_by_role("button", name="Войти в комнату")
    expect(button).to_be_visible()
    assert button.bounding_box()["width"] >= 300
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not Attendance.objects.filter(session=session).exists()

    button.click()
    page.wait_for_url(lambda url: url.startswith(ROOM_BASE + session.room_name + "#"))
    phone.close()

    assert Attendance.objects.filter(session=session, user=school["student"]).count() == 1
