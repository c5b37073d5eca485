import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "пароль-для-тестов-1"


def sms_code(outbox) -> str:
    return re.search(r"\b(\d{6})\b", outbox[-1]["text"]).group(1)


def request_code(client, phone: str, next_path: str | None = None):
    data = {"phone": phone}
    if next_path:
        data["next"] = next_path
    return client.post(reverse("account_request_login_code"), data)


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def current_totp(secret: str) -> str:
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_login_page_offers_phone_code_and_email_password_in_russian(client):
    response = client.get(reverse("account_login"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "По номеру телефона" in html
    assert "Получить код" in html
    assert "По e-mail и паролю" in html
    assert 'name="password"' in html
    assert "Зарегистрируйтесь по номеру телефона" in html
    assert "Sign In" not in html


@pytest.mark.parametrize("typed", ["8 (999) 123-45-67", "+7 999 1234567", "89991234567"])
def test_code_is_sent_to_the_normalised_phone(client, sms_outbox, typed):
    factories.UserFactory(phone="+79991234567")

    response = request_code(client, typed)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_confirm_login_code"))
    assert [m["phone"] for m in sms_outbox] == ["+79991234567"]
    assert re.search(r"\b\d{6}\b", sms_outbox[0]["text"])


def test_right_code_signs_in_and_honours_next(client, sms_outbox):
    user = factories.UserFactory(phone="+79991234567")
    response = request_code(client, "8 (999) 123-45-67", next_path="/i/token123/")
    confirm_url = response["Location"]

    response = client.post(confirm_url, {"code": sms_code(sms_outbox), "next": "/i/token123/"})

    assert response.status_code == 302
    assert response["Location"] == "/i/token123/"
    assert str(signed_in_user_id(client)) == str(user.pk)


def test_code_page_shows_the_phone_and_a_russian_message(client, sms_outbox):
    factories.UserFactory(phone="+79991234567")

    response = client.get(request_code(client, "89991234567")["Location"])

    html = response.content.decode()
    assert "Код для входа отправлен в SMS на номер +7 999 123-45-67." in html
    assert 'inputmode="numeric"' in html


def test_wrong_code_is_refused_in_russian_and_nobody_signs_in(client, sms_outbox):
    factories.UserFactory(phone="+79991234567")
    confirm_url = request_code(client, "89991234567")["Location"]
    wrong = "000000" if sms_code(sms_outbox) != "000000" else "111111"

    response = client.post(confirm_url, {"code": wrong})

    assert response.status_code == 200
    assert "Неверный код." in response.content.decode()
    assert signed_in_user_id(client) is None


def test_unknown_phone_gets_no_sms_and_no_sign_in(client, sms_outbox):
    response = request_code(client, "+7 999 000-00-00")

    assert response.status_code == 302  # the same answer as for a known phone: no enumeration
    assert sms_outbox == []
    assert signed_in_user_id(client) is None


def test_email_and_password_sign_in_honours_next(client):
    user = factories.UserFactory(email="teacher@example.ru")

    response = client.post(
        reverse("account_login"), {"login": "Teacher@Example.RU", "password": PASSWORD, "next": "/i/abc/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/i/abc/"
    assert str(signed_in_user_id(client)) == str(user.pk)


def test_wrong_password_is_refused_in_russian(client):
    factories.UserFactory(email="teacher@example.ru")

    response = client.post(reverse("account_login"), {"login": "teacher@example.ru", "password": "не тот пароль"})

    assert response.status_code == 200
    assert "адрес электронной почты и/или пароль неверны" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_sign_up_by_phone_asks_names_verifies_phone_and_honours_next(client, sms_outbox):
    response = client.post(
        reverse("account_signup"),
        {
            "last_name": "Петрова",
            "first_name": "Мария",
            "patronymic": "Сергеевна",
            "phone": "8 (912) 345-67-89",
            "next": "/i/invite42/",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_verify_phone"))
    user = User.objects.get(phone="+79123456789")
    assert (user.last_name, user.first_name, user.patronymic, user.phone_verified) == (
        "Петрова",
        "Мария",
        "Сергеевна",
        False,
    )
    assert not user.has_usable_password()

    response = client.post(response["Location"], {"code": sms_code(sms_outbox)})

    assert response.status_code == 302
    assert response["Location"] == "/i/invite42/"
    user.refresh_from_db()
    assert user.phone_verified is True
    assert str(signed_in_user_id(client)) == str(user.pk)


def test_sign_up_form_is_in_russian_with_optional_patronymic(client):
    html = client.get(reverse("account_signup")).content.decode()

    for label in ("Фамилия", "Имя", "Отчество", "необязательно", "Номер телефона", "Зарегистрироваться"):
        assert label in html


def test_sign_up_with_a_taken_phone_creates_no_second_user(client, sms_outbox):
    factories.UserFactory(phone="+79123456789", last_name="Первый")

    client.post(reverse("account_signup"), {"last_name": "Второй", "first_name": "Иван", "phone": "89123456789"})

    assert list(User.objects.values_list("last_name", flat=True)) == ["Первый"]


def test_user_with_totp_is_asked_the_code_after_the_sms_code(client, sms_outbox):
    user = factories.UserFactory(phone="+79991234567")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    confirm_url = request_code(client, "89991234567", next_path="/accounts/me/")["Location"]

    response = client.post(confirm_url, {"code": sms_code(sms_outbox), "next": "/accounts/me/"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    assert signed_in_user_id(client) is None
    page = client.get(response["Location"]).content.decode()
    assert "Двухфакторная аутентификация" in page

    response = client.post(reverse("mfa_authenticate"), {"code": current_totp(secret)})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    assert str(signed_in_user_id(client)) == str(user.pk)


def test_wrong_totp_code_does_not_sign_in(client):
    user = factories.UserFactory(email="admin@example.ru")
    TOTP.activate(user, generate_totp_secret())
    client.post(reverse("account_login"), {"login": "admin@example.ru", "password": PASSWORD})

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})

    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_sign_up_with_a_taken_phone_tells_the_owner_by_sms(client, sms_outbox):
    factories.UserFactory(phone="+79123456789")

    client.post(reverse("account_signup"), {"last_name": "Второй", "first_name": "Иван", "phone": "89123456789"})

    assert [m["phone"] for m in sms_outbox] == ["+79123456789"]
    assert "уже зарегистрирован" in sms_outbox[0]["text"]
    assert "/accounts/login/" in sms_outbox[0]["text"]
