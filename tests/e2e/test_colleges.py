"""Browser test of college registration: the public form, the staff review, the administrator's SMS."""

import re

import pytest
from playwright.sync_api import expect

from colleges.models import College, CollegeApplication, Membership, Role
from notifications.backends import MemorySmsBackend
from tests import factories
from tests.colleges.helpers import PDF_BYTES
from tests.conftest import add_totp
from tests.e2e.helpers import login_as, sign_in_by_phone
from tests.factories import _inn, _ogrn


@pytest.mark.django_db(transaction=True)
def test_college_applies_staff_approves_and_administrator_gets_sms(live_server, phone_context, browser, tmp_path):
    order = tmp_path / "Приказ о назначении.pdf"
    order.write_bytes(PDF_BYTES)
    inn, ogrn = _inn(770001), _ogrn(770001)
    applicant = phone_context.new_page()

    # A college fills the public form on a phone.
    applicant.goto(f"{live_server.url}/apply/")
    expect(applicant.get_by_role("heading", name="Заявка на регистрацию организации")).to_be_visible()
    fields = {
        "full_name": "ГБПОУ «Тверской политехнический колледж»",
        "short_name": "Тверской политехнический колледж",
        "inn": inn,
        "ogrn": ogrn,
        "region": "Тверская область",
        "address": "г. Тверь, ул. Советская, д. 10",
        "email": "info@tpk.example.org",
        "admin_last_name": "Соколова",
        "admin_first_name": "Елена",
        "admin_patronymic": "Викторовна",
        "admin_phone": "8 (912) 765-43-21",
        "order_number": "123-од",
        "order_date": "2026-09-01",
    }
    for name, value in fields.items():
        applicant.locator(f"[name={name}]").fill(value)
    applicant.locator("[name=time_zone]").select_option("Europe/Moscow")
    applicant.locator("[name=order_file]").set_input_files(str(order))
    applicant.get_by_role("button", name="Отправить заявку").click()

    expect(applicant).to_have_url(f"{live_server.url}/apply/done/")
    expect(applicant.get_by_role("heading", name="Заявка отправлена")).to_be_visible()
    assert applicant.evaluate("document.documentElement.scrollWidth") <= 390
    application = CollegeApplication.objects.get(inn=inn)
    assert application.admin_phone == "+79127654321"

    # A platform staff member finds it in the queue and approves it.
    staff = factories.UserFactory(is_staff=True)
    add_totp(staff)
    reviewer = browser.new_context(locale="ru-RU").new_page()
    login_as(reviewer, live_server, staff)
    reviewer.goto(f"{live_server.url}/platform/applications/")
    reviewer.get_by_role("link", name="Тверской политехнический колледж").click()
    expect(reviewer.get_by_text("№ 123-од от 01.09.2026")).to_be_visible()
    with reviewer.expect_download() as download:
        reviewer.get_by_role("link", name="скачать скан").click()
    assert open(download.value.path(), "rb").read().startswith(b"%PDF")
    reviewer.get_by_role("button", name="Одобрить и создать колледж").click()

    expect(reviewer.get_by_text(re.compile("Заявка одобрена"))).to_be_visible()
    college = College.objects.get(inn=inn)
    administrator = Membership.objects.get(college=college, role=Role.ADMINISTRATOR)
    assert administrator.order_number == "123-од"
    sms = [m for m in MemorySmsBackend.outbox if m["phone"] == "+79127654321"]
    assert len(sms) == 1
    assert "/accounts/login/" in sms[0]["text"]
    reviewer.context.close()

    # The administrator signs in with exactly that phone and is asked to set up TOTP first.
    admin_page = phone_context.new_page()
    sign_in_by_phone(admin_page, live_server.url, "+7 912 765-43-21", next_path="/college/")
    expect(admin_page).to_have_url(f"{live_server.url}/accounts/me/mfa-required/")


@pytest.mark.django_db(transaction=True)
def test_administrator_builds_departments_and_adds_a_teacher_on_a_phone(live_server, phone_context):
    from tests.conftest import add_totp

    membership = factories.MembershipFactory(role=Role.ADMINISTRATOR)
    add_totp(membership.user)
    page = phone_context.new_page()
    login_as(page, live_server, membership.user)

    # Departments: create, rename inline (htmx swaps the row), delete after confirmation.
    page.goto(f"{live_server.url}/college/departments/")
    expect(page.get_by_text("Отделений пока нет")).to_be_visible()
    page.get_by_role("button", name="Добавить отделение").click()
    page.locator("[name=name]").fill("Отделение информатики")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("cell", name="Отделение информатики")).to_be_visible()
    page.get_by_role("link", name="Изменить").click()
    expect(page.locator("tr [name=name]")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/college/departments/")  # edited in place, no page change
    page.locator("tr [name=name]").fill("Отделение информационных технологий")
    page.locator("tr").get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("cell", name="Отделение информационных технологий")).to_be_visible()
    page.get_by_role("link", name="Удалить").click()
    page.get_by_role("button", name="Да, удалить").click()
    expect(page.get_by_text("Отделение «Отделение информационных технологий» удалено.")).to_be_visible()

    # Staff: a malformed phone is explained in Russian, then the teacher is added.
    page.goto(f"{live_server.url}/college/staff/new/")
    page.locator("[name=phone]").fill("12-34")
    page.locator("[name=last_name]").fill("Орлов")
    page.locator("[name=first_name]").fill("Антон")
    page.get_by_role("button", name="Добавить").click()
    expect(page.get_by_text("Неверный номер телефона")).to_be_visible()
    page.locator("[name=phone]").fill("8 912 111-22-33")
    page.get_by_role("button", name="Добавить").click()
    expect(page).to_have_url(f"{live_server.url}/college/staff/")
    expect(page.get_by_role("cell", name="Орлов Антон")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.django_db(transaction=True)
def test_staff_rejects_an_application_after_confirming_with_a_reason(live_server, page):
    application = factories.CollegeApplicationFactory(short_name="Кашинский колледж", admin_phone="+79127650001")
    staff = factories.UserFactory(is_staff=True)
    add_totp(staff)
    login_as(page, live_server, staff)

    page.goto(f"{live_server.url}/platform/applications/{application.pk}/")
    page.get_by_role("button", name="Отклонить…").click()
    expect(page.get_by_role("heading", name="Отклонить заявку «Кашинский колледж»?")).to_be_visible()
    page.locator("[name=reason]").fill("Приказ не подписан директором")
    page.get_by_role("button", name="Да, отклонить заявку").click()

    expect(page.get_by_text("Заявка отклонена, заявителю отправлена причина отказа.")).to_be_visible()
    expect(page.get_by_text("Причина отказа: Приказ не подписан директором")).to_be_visible()
    sms = [m for m in MemorySmsBackend.outbox if m["phone"] == "+79127650001"]
    assert "Приказ не подписан директором" in sms[0]["text"]


@pytest.mark.django_db(transaction=True)
def test_director_replaces_the_administrator(live_server, phone_context):
    from tests.conftest import add_totp

    old = factories.MembershipFactory(role=Role.ADMINISTRATOR)
    director = factories.MembershipFactory(college=old.college, role=Role.ADMINISTRATION)
    teacher = factories.MembershipFactory(
        college=old.college, role=Role.TEACHER, user__last_name="Зайцева", user__first_name="Ольга"
    )
    add_totp(director.user)
    page = phone_context.new_page()
    login_as(page, live_server, director.user)

    page.goto(f"{live_server.url}/college/staff/")
    page.get_by_role("button", name="Назначить администратора платформы").click()
    expect(page.get_by_text(f"Сейчас администратор: {old.user.full_name}")).to_be_visible()
    page.locator("[name=membership]").select_option(str(teacher.pk))
    page.locator("[name=order_number]").fill("77-од")
    page.locator("[name=order_date]").fill("2026-10-01")
    page.get_by_role("button", name="Назначить").click()

    expect(page).to_have_url(f"{live_server.url}/college/staff/")
    expect(page.get_by_text("Администратором платформы назначен(а) Зайцева Ольга")).to_be_visible()
    old.refresh_from_db()
    assert old.status == Membership.Status.LEFT
    assert Membership.objects.get(college=old.college, role=Role.ADMINISTRATOR, status="active").user == teacher.user
    assert [m["phone"] for m in MemorySmsBackend.outbox] == [teacher.user.phone]
