"""Materials in the browser: a teacher uploads and publishes, a student of the group downloads,
a student of another group does not see it."""

import re

import pytest
from playwright.sync_api import expect

from colleges.models import Role
from tests import factories
from tests.e2e.helpers import sign_in_by_phone

EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"PE\x00\x00L\x01"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def school(transactional_db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "materials": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "materials")},
        },
    }
    college = factories.CollegeFactory()
    group = factories.StudyGroupFactory(college=college, name="ИС-21")
    other_group = factories.StudyGroupFactory(college=college, name="ТМ-32")
    discipline = factories.DisciplineFactory(college=college, name="Базы данных")
    teacher = factories.MembershipFactory(college=college, role=Role.TEACHER)
    factories.SubjectTeacherAssignmentFactory(group=group, teacher=teacher, discipline=discipline)
    student = factories.EnrollmentFactory(group=group).student
    other_student = factories.EnrollmentFactory(group=other_group).student
    return {
        "group": group,
        "discipline": discipline,
        "teacher": teacher.user,
        "student": student.user,
        "other_student": other_student.user,
    }


def test_teacher_publishes_two_files_and_only_the_groups_student_gets_them(live_server, browser, school):
    # The teacher, on a phone, uploads two files for the group and the discipline and publishes.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="ru-RU")
    teacher_page = phone.new_page()
    sign_in_by_phone(teacher_page, live_server.url, school["teacher"].phone, next_path="/materials/new/")
    teacher_page.goto(f"{live_server.url}/materials/new/")
    teacher_page.get_by_label("Название").fill("Лабораторная работа №3")
    teacher_page.get_by_label("Описание").fill("Задание и шаблон отчёта")
    teacher_page.select_option("select[name=audience]", "discipline")
    teacher_page.check(f"input[name=groups][value='{school['group'].pk}']")
    teacher_page.select_option("select[name=discipline]", str(school["discipline"].pk))
    teacher_page.set_input_files(
        "input[name=files]",
        [
            {"name": "Задание.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "Шаблон отчёта.pdf", "mimeType": "application/pdf", "buffer": PDF},
        ],
    )
    expect(teacher_page.locator("#upload-list li[data-uploaded='1']")).to_have_count(2)
    # A file chosen by mistake is taken off the list before publishing.
    teacher_page.set_input_files(
        "input[name=files]", [{"name": "Лишний.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    expect(teacher_page.locator("#upload-list li[data-uploaded='1']")).to_have_count(3)
    teacher_page.get_by_role("button", name="Убрать файл Лишний.pdf").click()
    expect(teacher_page.locator("#upload-list li[data-uploaded='1']")).to_have_count(2)
    # A program renamed .pdf is refused on its own line, in Russian; the two files stay.
    teacher_page.set_input_files(
        "input[name=files]", [{"name": "Оценки.pdf", "mimeType": "application/pdf", "buffer": EXE}]
    )
    expect(teacher_page.locator("#upload-list [role=alert]")).to_contain_text("«Оценки.pdf» не принят")
    expect(teacher_page.locator("#upload-list progress").first).to_have_attribute("value", "100")
    teacher_page.get_by_role("button", name="Опубликовать").click()
    expect(teacher_page.get_by_role("heading", name="Лабораторная работа №3")).to_be_visible()
    expect(teacher_page.get_by_text("Материал опубликован.")).to_be_visible()
    expect(teacher_page.get_by_role("link", name=re.compile("Скачать"))).to_have_count(2)
    detail_url = teacher_page.url
    phone.close()

    # A student of the group finds it in the list and downloads one file.
    student_context = browser.new_context(locale="ru-RU")
    student_page = student_context.new_page()
    sign_in_by_phone(student_page, live_server.url, school["student"].phone, next_path="/materials/")
    student_page.goto(f"{live_server.url}/materials/")
    student_page.get_by_role("link", name="Лабораторная работа №3").click()
    with student_page.expect_download() as download_info:
        student_page.get_by_role("link", name="Скачать «Задание.pdf»").click()
    download = download_info.value
    assert download.suggested_filename == "Задание.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read().startswith(b"%PDF-")
    student_context.close()

    # A student of another group sees neither the material in the list nor its page.
    other_context = browser.new_context(locale="ru-RU")
    other_page = other_context.new_page()
    sign_in_by_phone(other_page, live_server.url, school["other_student"].phone, next_path="/materials/")
    other_page.goto(f"{live_server.url}/materials/")
    expect(other_page.get_by_text("Материалов пока нет.")).to_be_visible()
    expect(other_page.get_by_text("Лабораторная работа №3")).to_have_count(0)
    response = other_page.goto(detail_url)
    assert response.status == 404
    other_context.close()
