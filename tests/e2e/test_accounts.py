"""Browser tests of signing in: by phone code on a phone, and the TOTP that staff must set up."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from colleges.models import Role
from tests import factories
from tests.e2e.helpers import answer_totp, login_as, set_up_totp, sign_in_by_phone


@pytest.mark.django_db(transaction=True)
def test_person_signs_in_by_phone_code_on_a_phone(live_server, phone_context):
    factories.UserFactory(phone="+79991234567", last_name="Петрова", first_name="Мария")
    page = phone_context.new_page()

    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", name="По номеру телефона")).to_be_visible()
    expect(page.get_by_role("heading", name="По e-mail и паролю")).to_be_visible()
    sign_in_by_phone(page, live_server.url, "8 (999) 123-45-67", next_path="/accounts/me/")

    expect(page).to_have_url(f"{live_server.url}/accounts/me/")
    expect(page.get_by_role("heading", name="Профиль")).to_be_visible()
    expect(page.get_by_text("+7 999 123-45-67")).to_be_visible()
    # Nothing sticks out of a phone-sized screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.django_db(transaction=True)
def test_administrator_must_set_up_totp_then_reaches_dashboard(live_server, page):
    membership = factories.MembershipFactory(role=Role.ADMINISTRATOR, user__phone="+79997654321")

    sign_in_by_phone(page, live_server.url, "+7 999 7654321", next_path="/dashboard/")

    expect(page).to_have_url(f"{live_server.url}/accounts/me/mfa-required/")
    expect(page.get_by_role("heading", name="Настройте двухфакторную аутентификацию")).to_be_visible()
    page.get_by_role("button", name="Настроить").click()
    secret = set_up_totp(page, live_server.url)
    expect(page.get_by_role("heading", name="Резервные коды")).to_be_visible()
    page.goto(f"{live_server.url}/dashboard/")
    expect(page).to_have_url(f"{live_server.url}/dashboard/")
    assert User.objects.get(pk=membership.user_id).authenticator_set.filter(type="totp").exists()
    assert secret


@pytest.mark.django_db(transaction=True)
def test_user_with_totp_answers_the_code_at_sign_in(live_server, page):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    membership = factories.MembershipFactory(role=Role.ADMINISTRATION, user__phone="+79995550011")
    secret = generate_totp_secret()
    TOTP.activate(membership.user, secret)

    sign_in_by_phone(page, live_server.url, "89995550011", next_path="/dashboard/")
    expect(page.get_by_role("heading", name="Двухфакторная аутентификация")).to_be_visible()
    answer_totp(page, secret)

    expect(page).to_have_url(f"{live_server.url}/dashboard/")


@pytest.mark.django_db(transaction=True)
def test_login_as_opens_pages_without_the_sign_in_form(live_server, page):
    user = factories.UserFactory(last_name="Сидоров")

    login_as(page, live_server, user)
    page.goto(f"{live_server.url}/accounts/me/")

    expect(page).to_have_url(f"{live_server.url}/accounts/me/")
    expect(page.locator("#id_last_name")).to_have_value("Сидоров")


@pytest.mark.django_db(transaction=True)
def test_set_up_totp_works_after_login_as(live_server, page):
    user = factories.MembershipFactory(role=Role.ADMINISTRATION).user

    login_as(page, live_server, user)
    page.goto(f"{live_server.url}/dashboard/")
    expect(page).to_have_url(f"{live_server.url}/accounts/me/mfa-required/")
    set_up_totp(page, live_server.url)
    page.get_by_role("button", name="Продолжить работу").click()
    page.goto(f"{live_server.url}/dashboard/")

    expect(page).to_have_url(f"{live_server.url}/dashboard/")


@pytest.mark.django_db(transaction=True)
def test_invited_person_signs_up_by_phone_and_lands_on_the_invitation(live_server, phone_context):
    from tests.e2e.helpers import last_sms_code

    page = phone_context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/accounts/me/")
    page.get_by_role("link", name="Зарегистрируйтесь по номеру телефона").click()
    page.get_by_label("Фамилия").fill("Кузнецова")
    page.get_by_label("Имя", exact=True).fill("Анна")
    page.get_by_label("Номер телефона").fill("8 (912) 000-11-22")
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.get_by_role("heading", name="Подтвердите номер телефона")).to_be_visible()
    page.get_by_label("Код из SMS").fill(last_sms_code("+79120001122"))
    page.get_by_role("button", name="Подтвердить").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/me/")
    user = User.objects.get(phone="+79120001122")
    assert (user.last_name, user.first_name, user.patronymic, user.phone_verified) == ("Кузнецова", "Анна", "", True)
