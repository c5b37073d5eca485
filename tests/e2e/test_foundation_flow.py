"""The foundation's acceptance test, end to end in a browser.

Platform staff approve a college's application; the new administrator
signs in by phone code and sets up TOTP, creates a department, adds a
teacher, creates a study group and makes the teacher its curator; the
curator signs in by phone code and finds the group under «Мои группы».
"""

import re

import pytest
from playwright.sync_api import expect

from colleges.models import College, Membership, Role
from groups.models import CuratorAssignment, StudyGroup
from tests import factories
from tests.conftest import add_totp
from tests.e2e.helpers import login_as, set_up_totp, sign_in_by_phone


@pytest.mark.django_db(transaction=True)
def test_from_application_to_a_curator_seeing_the_group(live_server, browser, phone_context):
    application = factories.CollegeApplicationFactory(
        short_name="Тверской политехнический колледж",
        admin_last_name="Соколова",
        admin_first_name="Елена",
        admin_phone="+79127654321",
    )
    staff = factories.UserFactory(is_staff=True)
    add_totp(staff)

    # 1. Platform staff approve the application.
    reviewer = browser.new_context(locale="ru-RU").new_page()
    login_as(reviewer, live_server, staff)
    reviewer.goto(f"{live_server.url}/platform/applications/")
    reviewer.get_by_role("link", name="Тверской политехнический колледж").click()
    reviewer.get_by_role("button", name="Одобрить и создать колледж").click()
    expect(reviewer.get_by_text(re.compile("Заявка одобрена"))).to_be_visible()
    college = College.objects.get(application=application)
    reviewer.context.close()

    # 2. The administrator signs in by phone code and must set up TOTP first.
    admin = browser.new_context(locale="ru-RU").new_page()
    sign_in_by_phone(admin, live_server.url, "8 (912) 765-43-21", next_path="/dashboard/")
    expect(admin).to_have_url(f"{live_server.url}/accounts/me/mfa-required/")
    admin.get_by_role("button", name="Настроить").click()
    set_up_totp(admin, live_server.url)
    admin.goto(f"{live_server.url}/dashboard/")
    expect(admin.get_by_role("heading", name="Панель колледжа")).to_be_visible()
    expect(admin.get_by_test_id("count-groups")).to_have_text("0")

    # 3. A department.
    admin.goto(f"{live_server.url}/college/departments/")
    admin.get_by_role("button", name="Добавить отделение").click()
    admin.locator("[name=name]").fill("Отделение информационных технологий")
    admin.get_by_role("button", name="Сохранить").click()
    expect(admin.get_by_role("cell", name="Отделение информационных технологий")).to_be_visible()

    # 4. A teacher, added by phone.
    admin.goto(f"{live_server.url}/college/staff/new/")
    admin.locator("[name=phone]").fill("8 912 111-22-33")
    admin.locator("[name=last_name]").fill("Орлова")
    admin.locator("[name=first_name]").fill("Ирина")
    admin.locator("[name=role]").select_option(Role.TEACHER)
    admin.get_by_role("button", name="Добавить").click()
    expect(admin).to_have_url(f"{live_server.url}/college/staff/")
    teacher = Membership.objects.get(college=college, role=Role.TEACHER, user__phone="+79121112233")

    # 5. A study group, from the menu.
    admin.goto(f"{live_server.url}/dashboard/")
    admin.get_by_role("link", name="Учебные группы").first.click()
    admin.get_by_role("button", name="Создать группу").click()
    admin.get_by_label("Название").fill("ИС-21")
    admin.get_by_label("Отделение").select_option(label="Отделение информационных технологий")
    admin.get_by_label("Код специальности").fill("09.02.07")
    admin.get_by_label("Специальность / профессия").fill("Информационные системы и программирование")
    admin.get_by_label("Год набора").fill("2025")
    admin.get_by_role("button", name="Создать группу").click()
    expect(admin.get_by_role("heading", name="Группа ИС-21")).to_be_visible()
    group = StudyGroup.objects.get(college=college, name="ИС-21")

    # 6. The teacher becomes its curator.
    admin.get_by_role("button", name="Назначить куратора").click()
    admin.get_by_label("Куратор").select_option(label="Орлова Ирина")
    admin.get_by_role("button", name="Назначить куратором").click()
    expect(admin.get_by_test_id("curator")).to_contain_text("Орлова Ирина")
    assert CuratorAssignment.objects.get(group=group, ended_at__isnull=True).teacher == teacher
    admin.context.close()

    # 7. The curator signs in by phone code on a phone and sees the group under «Мои группы».
    curator = phone_context.new_page()
    sign_in_by_phone(curator, live_server.url, "+7 912 111 22 33", next_path="/")
    expect(curator).to_have_url(f"{live_server.url}/groups/my/")
    expect(curator.get_by_role("heading", name="Мои группы")).to_be_visible()
    expect(curator.get_by_test_id("curated-group")).to_contain_text("ИС-21")
    curator.get_by_role("link", name="ИС-21").click()
    expect(curator.get_by_role("heading", name="Группа ИС-21")).to_be_visible()
    assert curator.evaluate("document.documentElement.scrollWidth") <= 390
