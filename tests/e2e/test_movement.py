"""Browser test: the administrator imports a roster, reviews the diff, applies it with a real Celery
worker while the progress bar polls, sees the students in their groups, then transfers one student and
sees the timeline."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from colleges.models import Role
from tests import factories
from tests.conftest import add_totp
from tests.e2e.helpers import login_as, sign_in_by_phone
from tests.movement.workers import kill_worker, start_worker

ROSTER = (
    "Фамилия;Имя;Отчество;Телефон;Группа;Дата рождения\n"
    "Голубева;Алёна;Игоревна;8 (912) 111-22-01;ИС-21;03.04.2008\n"
    "Зайцев;Артём;;+7 912 111 22 02;ИС-21;11.11.2008\n"
    "Лебедев;Кирилл;Олегович;89121112203;ТМ-22;30.01.2007\n"
)


@pytest.fixture
def real_worker(transactional_db):
    from sferum_admin.celery import app

    worker = start_worker()
    app.conf.task_always_eager = False
    yield worker
    app.conf.task_always_eager = True
    kill_worker(worker)


@pytest.mark.django_db(transaction=True)
def test_administrator_imports_roster_then_transfers_a_student(live_server, page, real_worker, tmp_path):
    college = factories.CollegeFactory()
    department = factories.DepartmentFactory(college=college)
    for name in ("ИС-21", "ТМ-22"):
        factories.StudyGroupFactory(college=college, department=department, name=name)
    administrator = factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR).user
    add_totp(administrator)
    roster = tmp_path / "kontingent.csv"
    roster.write_bytes(ROSTER.encode("cp1251"))

    # Upload the file and review the diff: three new students, nothing written yet.
    login_as(page, live_server, administrator)
    page.goto(f"{live_server.url}/")
    page.locator("summary", has_text="Люди").click()  # the menu's section
    page.get_by_role("link", name="Импорт контингента").first.click()
    page.get_by_role("button", name="Загрузить файл").click()
    page.get_by_label("Файл контингента (CSV или XLSX)").set_input_files(str(roster))
    page.get_by_label("Номер приказа").fill("101-к")
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.locator("#batch-status")).to_have_text("проверен, ждёт применения")
    expect(page.locator("#summary article").first).to_contain_text("3")
    page.get_by_text("Новые обучающиеся: 3").click()
    expect(page.get_by_role("cell", name="Голубева Алёна Игоревна")).to_be_visible()

    # Apply: the worker runs it, the polled progress bar finishes and the page turns into the result.
    page.get_by_role("button", name="Применить").click()
    expect(page.locator("#import-progress progress")).to_be_visible()
    expect(page.locator("#import-result")).to_have_text("Применено: записано приказов — 3.", timeout=30_000)
    expect(page.locator("#import-progress")).to_contain_text("Готово")

    # The students are in their groups.
    page.get_by_role("link", name="ИС-21").click()
    expect(page.locator("#roster tbody tr")).to_have_count(2)
    expect(page.locator("#roster")).to_contain_text("Зайцев Артём")

    # Transfer one student from the card and see the timeline.
    page.get_by_role("link", name="Зайцев Артём").click()
    page.get_by_role("button", name="Оформить движение").click()
    page.get_by_label("Вид движения").select_option(label="перевод в другую группу")
    page.get_by_label("Группа", exact=True).select_option(label="ТМ-22")
    page.get_by_label("Номер приказа").fill("102-к")
    page.get_by_role("button", name="Оформить").click()
    expect(page.get_by_role("heading", name="Зайцев Артём")).to_be_visible()
    for _ in range(50):
        if page.locator("#timeline .status-applied").count() == 2:
            break
        page.wait_for_timeout(200)
        page.reload()
    expect(page.locator("#current-group")).to_contain_text("ТМ-22")
    timeline = page.locator("#timeline li")
    expect(timeline).to_have_count(2)
    today = datetime.date.today().strftime("%d.%m.%Y")
    expect(timeline.nth(0)).to_contain_text(re.compile(rf"{today} — перевод в другую группу\s+из ИС-21 в ТМ-22"))
    expect(timeline.nth(0)).to_contain_text("применено")
    expect(timeline.nth(1)).to_contain_text("зачисление")


@pytest.mark.django_db(transaction=True)
def test_curator_on_a_phone_sees_the_roster_on_a_past_date_and_the_groups_movements(live_server, phone_context):
    college = factories.CollegeFactory()
    group = factories.StudyGroupFactory(college=college, name="ИС-31")
    other = factories.StudyGroupFactory(college=college, name="ИС-32")
    curator = factories.CuratorAssignmentFactory(group=group, teacher__user__last_name="Орлова").teacher
    stayed = factories.MembershipFactory(college=college, role=Role.STUDENT, user__last_name="Белова")
    left = factories.MembershipFactory(college=college, role=Role.STUDENT, user__last_name="Чернов")
    factories.EnrollmentFactory(student=stayed, group=group, started_at=datetime.date(2025, 9, 1))
    moved = factories.EnrollmentFactory(student=left, group=group, started_at=datetime.date(2025, 9, 1))
    moved.ended_at = datetime.date(2026, 2, 1)
    moved.save()
    factories.EnrollmentFactory(student=left, group=other, started_at=datetime.date(2026, 2, 1))
    from movement.models import Movement

    Movement.objects.create(
        college=college,
        kind="transfer",
        person=left,
        from_group=group,
        to_group=other,
        order_number="9-к",
        order_date=datetime.date(2026, 1, 30),
        effective_date=datetime.date(2026, 2, 1),
        status="applied",
    )
    page = phone_context.new_page()

    login_as(page, live_server, curator.user)
    page.goto(f"{live_server.url}/movement/")
    expect(page.get_by_role("cell", name="перевод в другую группу")).to_be_visible()
    page.goto(f"{live_server.url}/movement/groups/{group.pk}/roster/")
    expect(page.locator("#roster tbody tr")).to_have_count(1)
    page.get_by_label("На дату").fill("2026-01-15")
    page.get_by_role("button", name="Показать").click()

    expect(page.get_by_role("heading", name="Список группы ИС-31")).to_be_visible()
    expect(page.get_by_text("на 15.01.2026")).to_be_visible()
    expect(page.locator("#roster tbody tr")).to_have_count(2)
    expect(page.locator("#roster")).to_contain_text("Чернов")


@pytest.mark.django_db(transaction=True)
def test_administrator_on_a_phone_enrols_a_new_student_who_then_signs_in(live_server, browser, phone_context):
    from accounts.models import User

    college = factories.CollegeFactory()
    factories.StudyGroupFactory(college=college, name="ИС-41")
    administrator = factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR).user
    add_totp(administrator)
    assert not User.objects.filter(phone="+79176660055").exists()
    page = phone_context.new_page()

    login_as(page, live_server, administrator)
    page.goto(f"{live_server.url}/movement/people/")
    page.get_by_role("button", name="Зачислить обучающегося").click()
    page.get_by_label("Фамилия").fill("Фомина")
    page.get_by_label("Имя", exact=True).fill("Ксения")
    page.get_by_label("Мобильный телефон").fill("8 (917) 666-00-55")
    page.get_by_label("Учебная группа").select_option(label="ИС-41")
    page.get_by_label("Номер приказа").fill("31-к")
    page.get_by_role("button", name="Зачислить").click()

    expect(page.get_by_role("heading", name="Фомина Ксения")).to_be_visible()
    expect(page.locator("#current-group")).to_contain_text("ИС-41")
    expect(page.locator("#timeline li")).to_contain_text("зачисление")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    student_page = browser.new_context(locale="ru-RU").new_page()
    sign_in_by_phone(student_page, live_server.url, "+7 917 666-00-55", next_path="/groups/my-group/")
    expect(student_page.get_by_role("heading", name="Моя группа — ИС-41")).to_be_visible()


def _order_form_fields(page):
    return {
        "Группа": page.get_by_label("Группа", exact=True),
        "Причина отчисления": page.get_by_label("Причина отчисления"),
        "Плановая дата выхода из отпуска": page.get_by_label("Плановая дата выхода из отпуска"),
        "Дисциплина": page.get_by_label("Дисциплина"),
    }


def _expect_only(page, *shown):
    for label, locator in _order_form_fields(page).items():
        if label in shown:
            expect(locator).to_be_visible()
        else:
            expect(locator).to_be_hidden()


@pytest.mark.django_db(transaction=True)
def test_order_form_on_a_phone_shows_only_the_chosen_kinds_fields(live_server, browser, phone_context):
    college = factories.CollegeFactory()
    group = factories.StudyGroupFactory(college=college, name="ИС-51")
    factories.StudyGroupFactory(college=college, name="ИС-52")
    administrator = factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR).user
    add_totp(administrator)
    student = factories.MembershipFactory(college=college, role=Role.STUDENT, user__last_name="Гусев")
    factories.EnrollmentFactory(student=student, group=group, started_at=datetime.date(2025, 9, 1))
    page = phone_context.new_page()

    login_as(page, live_server, administrator)
    page.goto(f"{live_server.url}/movement/people/{student.pk}/")
    page.get_by_role("button", name="Оформить движение").click()
    expect(page.get_by_label("Вид движения")).to_have_value("")
    expect(page.get_by_role("button", name="Показать поля этого вида")).to_be_hidden()
    _expect_only(page)
    page.get_by_label("Вид движения").select_option(label="отчисление")
    _expect_only(page, "Причина отчисления")
    page.get_by_label("Вид движения").select_option(label="академический отпуск")
    _expect_only(page, "Плановая дата выхода из отпуска")
    page.get_by_label("Вид движения").select_option(label="перевод в другую группу")
    _expect_only(page, "Группа")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # A backdated transfer is refused on the form with the reason.
    page.get_by_label("Группа", exact=True).select_option(label="ИС-52")
    page.get_by_label("Номер приказа").fill("40-к")
    page.get_by_label("Дата вступления в силу").fill("2025-08-20")
    page.get_by_label("Номер приказа").press("Enter")
    expect(page.get_by_text("Дата вступления в силу раньше зачисления в группу «ИС-51» (01.09.2025)")).to_be_visible()
    _expect_only(page, "Группа")

    # Without scripts the same form works in two steps: pick the kind, show its fields, submit.
    no_script = browser.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 844}, locale="ru-RU"
    ).new_page()
    login_as(no_script, live_server, administrator)
    no_script.goto(f"{live_server.url}/movement/people/{student.pk}/new/")
    _expect_only(no_script)
    no_script.get_by_label("Вид движения").select_option(label="перевод в другую группу")
    no_script.get_by_label("Номер приказа").fill("41-к")
    no_script.get_by_role("button", name="Показать поля этого вида").click()
    _expect_only(no_script, "Группа")
    expect(no_script.get_by_label("Номер приказа")).to_have_value("41-к")
    no_script.get_by_label("Группа", exact=True).select_option(label="ИС-52")
    no_script.get_by_role("button", name="Оформить", exact=True).click()
    expect(no_script.locator("#current-group")).to_contain_text("ИС-52")
    expect(no_script.locator("#timeline li").first).to_contain_text("перевод в другую группу")
