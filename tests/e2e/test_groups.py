"""Browser test: the administrator creates a study group and assigns its curator; the curator sees it."""

import re

import pytest
from playwright.sync_api import expect

from colleges.models import Role
from groups.models import CuratorAssignment, StudyGroup
from tests import factories
from tests.conftest import add_totp
from tests.e2e.helpers import login_as


@pytest.mark.django_db(transaction=True)
def test_administrator_creates_group_assigns_curator_and_curator_sees_it(live_server, page, phone_context):
    college = factories.CollegeFactory()
    factories.DepartmentFactory(college=college, name="Отделение информационных технологий")
    administrator = factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR).user
    add_totp(administrator)
    curator = factories.MembershipFactory(
        college=college, role=Role.TEACHER, user__last_name="Орлова", user__first_name="Ирина", user__patronymic=""
    )

    # The administrator opens «Учебные группы» from the menu and creates «ИС-21».
    login_as(page, live_server, administrator)
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_test_id("count-groups")).to_have_text("0")
    page.get_by_role("link", name="Учебные группы").first.click()
    expect(page.get_by_text("Учебных групп пока нет.")).to_be_visible()
    page.get_by_role("button", name="Создать группу").click()
    page.get_by_label("Название").fill("ИС-21")
    page.get_by_label("Отделение").select_option(label="Отделение информационных технологий")
    page.get_by_label("Код специальности").fill("09.02.07")
    page.get_by_label("Специальность / профессия").fill("Информационные системы и программирование")
    page.get_by_label("Курс").select_option("2")
    page.get_by_label("Год набора").fill("2025")
    page.get_by_role("button", name="Создать группу").click()

    expect(page.get_by_role("heading", name="Группа ИС-21")).to_be_visible()
    expect(page.get_by_test_id("curator")).to_have_text("Куратор не назначен.")
    group = StudyGroup.objects.get(college=college, name="ИС-21")

    # …and assigns Орлова as its curator.
    page.get_by_role("button", name="Назначить куратора").click()
    page.get_by_label("Куратор").select_option(label="Орлова Ирина")
    page.get_by_role("button", name="Назначить куратором").click()
    expect(page).to_have_url(re.compile(rf"/groups/{group.pk}/$"))
    expect(page.get_by_test_id("curator")).to_contain_text("Орлова Ирина")
    assert CuratorAssignment.objects.get(group=group, ended_at__isnull=True).teacher == curator

    # The list shows the curator in the group's row, and the dashboard counts the group at once.
    page.goto(f"{live_server.url}/groups/")
    expect(page.locator(f"#group-{group.pk}")).to_contain_text("Орлова И.")
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_test_id("count-groups")).to_have_text("1")

    # The curator, on a phone, finds the group under «Мои группы».
    phone = phone_context.new_page()
    login_as(phone, live_server, curator.user)
    phone.goto(f"{live_server.url}/")
    expect(phone).to_have_url(f"{live_server.url}/groups/my/")
    expect(phone.get_by_test_id("curated-group")).to_contain_text("ИС-21")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.django_db(transaction=True)
def test_inline_edit_changes_a_group_course_without_leaving_the_list(live_server, page):
    college = factories.CollegeFactory()
    group = factories.StudyGroupFactory(college=college, name="ТМ-11", course=1)
    administrator = factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR).user
    add_totp(administrator)
    login_as(page, live_server, administrator)
    page.goto(f"{live_server.url}/groups/")

    page.get_by_role("button", name="Быстро изменить ТМ-11").click()
    row = page.locator(f"#group-{group.pk}")
    row.get_by_label("Курс").select_option("2")
    row.get_by_role("button", name="Сохранить").click()

    expect(page.locator(f"#group-{group.pk} td").nth(3)).to_have_text("2")
    expect(page).to_have_url(f"{live_server.url}/groups/")
    page.reload()  # the list as the server now renders it, not only the swapped row
    expect(page.locator(f"#group-{group.pk} td").nth(3)).to_have_text("2")
    group.refresh_from_db()
    assert group.course == 2


@pytest.mark.django_db(transaction=True)
def test_student_opens_my_group_from_the_menu_on_a_phone(live_server, phone_context):
    college = factories.CollegeFactory()
    group = factories.StudyGroupFactory(college=college, name="ИС-21")
    enrollment = factories.EnrollmentFactory(group=group, student__user__last_name="Белова")
    factories.EnrollmentFactory(group=group, student__user__last_name="Зайцев")
    factories.CuratorAssignmentFactory(
        group=group, teacher__user__last_name="Орлова", teacher__user__first_name="Ирина", teacher__user__patronymic=""
    )
    page = phone_context.new_page()
    login_as(page, live_server, enrollment.student.user)
    page.goto(f"{live_server.url}/")

    page.get_by_role("button", name="Меню").click()
    page.get_by_role("link", name="Моя группа").click()

    expect(page.get_by_role("heading", name="Моя группа — ИС-21")).to_be_visible()
    expect(page.get_by_text("Орлова Ирина")).to_be_visible()
    expect(page.locator("ol.roster")).to_contain_text("Зайцев")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
