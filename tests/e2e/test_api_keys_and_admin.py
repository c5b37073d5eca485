"""Browser tests: a teacher makes and revokes a named API key on a phone; platform staff reach the admin via TOTP."""

import pytest
import requests
from playwright.sync_api import expect

from colleges.models import Role
from tests import factories
from tests.e2e.helpers import answer_totp, login_as, sign_in_by_phone


@pytest.mark.django_db(transaction=True)
def test_teacher_makes_a_key_for_the_journal_sees_it_once_and_revokes_it(live_server, phone_context):
    membership = factories.MembershipFactory(role=Role.TEACHER, college__short_name="Тверской колледж")
    page = phone_context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    login_as(page, live_server, membership.user)

    page.goto(f"{live_server.url}/accounts/me/#api-tokens")
    page.get_by_text("Создать ключ", exact=True).first.click()
    page.get_by_label("Название").fill("Электронный журнал")
    expect(page.get_by_label("Колледж, в котором работает ключ")).to_have_value(str(membership.college.pk))
    page.get_by_label("Срок действия").select_option(label="30 дней")
    page.get_by_role("button", name="Создать ключ").click()

    key = page.locator("#new-token").input_value()
    me = f"{live_server.url}/api/v1/me/"
    assert requests.get(me, headers={"Authorization": f"Token {key}"}, timeout=10).status_code == 200
    expect(page.get_by_role("cell", name="Электронный журнал")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.reload()
    expect(page.locator("#new-token")).to_have_count(0)
    page.get_by_role("button", name="Отозвать", exact=True).click()

    expect(page.get_by_text("Ключ API «Электронный журнал» отозван.")).to_be_visible()
    assert requests.get(me, headers={"Authorization": f"Token {key}"}, timeout=10).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_platform_staff_reach_the_admin_through_the_sign_in_and_totp(live_server, page):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    staff = factories.UserFactory(phone="+79995550077", is_staff=True, is_superuser=True)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)

    page.goto(f"{live_server.url}/platform/admin/")
    expect(page.get_by_role("heading", name="По номеру телефона")).to_be_visible()
    sign_in_by_phone(page, live_server.url, "89995550077", next_path="/platform/admin/")
    answer_totp(page, secret)

    expect(page).to_have_url(f"{live_server.url}/platform/admin/")
    expect(page.get_by_text("Сферум Админ — управление платформой")).to_be_visible()
