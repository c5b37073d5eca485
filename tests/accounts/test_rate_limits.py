"""Rate limits on code requests, code attempts and password attempts.

The test settings relax some limits; each test here switches the
production limits back on with the ``settings`` fixture.
"""

import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

TOO_MANY = "Слишком много неудачных попыток входа в систему. Повторите попытку позже."
PASSWORD = "пароль-для-тестов-1"
PRODUCTION_LIMITS = dict(django_settings.ACCOUNT_RATE_LIMITS_PRODUCTION)


@pytest.fixture(autouse=True)
def production_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = dict(PRODUCTION_LIMITS)


def sms_code(outbox) -> str:
    return re.search(r"\b(\d{6})\b", outbox[-1]["text"]).group(1)


def test_fourth_code_request_for_one_phone_says_how_long_to_wait(sms_outbox):
    factories.UserFactory(phone="+79991234567")
    for _ in range(3):
        assert Client().post(reverse("account_request_login_code"), {"phone": "89991234567"}).status_code == 302
    client = Client()

    response = client.post(reverse("account_request_login_code"), {"phone": "+7 999 123-45-67"})

    assert response.status_code == 200
    assert "Слишком много запросов кода, попробуйте через 5 мин." in response.content.decode()
    assert "неудачных попыток" not in response.content.decode()
    assert len(sms_outbox) == 3
    assert SESSION_KEY not in client.session


def test_a_class_behind_one_school_address_all_get_their_codes(sms_outbox):
    phones = [f"+799912345{n:02d}" for n in range(30)]
    for phone in phones:
        factories.UserFactory(phone=phone)

    answers = [Client().post(reverse("account_request_login_code"), {"phone": p}).status_code for p in phones]

    assert answers == [302] * 30
    assert sorted(m["phone"] for m in sms_outbox) == phones


def test_one_phone_gets_at_most_ten_codes_a_day(settings, sms_outbox):
    settings.ACCOUNT_RATE_LIMITS = {**PRODUCTION_LIMITS, "request_login_code": "300/5m/ip,100/5m/key,10/d/key"}
    factories.UserFactory(phone="+79991234567")
    for _ in range(10):
        Client().post(reverse("account_request_login_code"), {"phone": "89991234567"})

    response = Client().post(reverse("account_request_login_code"), {"phone": "89991234567"})

    assert "Слишком много запросов кода на этот номер за сутки, попробуйте через 24 ч." in response.content.decode()
    assert len(sms_outbox) == 10


def test_code_requests_from_one_address_are_limited_across_phones(settings, sms_outbox):
    settings.ACCOUNT_RATE_LIMITS = {**PRODUCTION_LIMITS, "request_login_code": "5/5m/ip,3/5m/key,10/d/key"}
    for n in range(6):
        factories.UserFactory(phone=f"+7999123450{n}")
    for n in range(5):
        assert Client().post(reverse("account_request_login_code"), {"phone": f"+7999123450{n}"}).status_code == 302

    response = Client().post(reverse("account_request_login_code"), {"phone": "+79991234505"})

    assert response.status_code == 200
    assert "Слишком много запросов кода, попробуйте через 5 мин." in response.content.decode()
    assert len(sms_outbox) == 5


def test_behind_a_trusted_proxy_each_client_address_is_counted_apart(settings, sms_outbox):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**PRODUCTION_LIMITS, "request_login_code": "2/5m/ip,3/5m/key,10/d/key"}
    for n in range(4):
        factories.UserFactory(phone=f"+7999123450{n}")

    answers = [
        Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{n // 2}")
        .post(reverse("account_request_login_code"), {"phone": f"+7999123450{n}"})
        .status_code
        for n in range(4)
    ]

    assert answers == [302] * 4
    assert len(sms_outbox) == 4


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(settings, sms_outbox):
    settings.ACCOUNT_RATE_LIMITS = {**PRODUCTION_LIMITS, "request_login_code": "2/5m/ip,3/5m/key,10/d/key"}
    for n in range(3):
        factories.UserFactory(phone=f"+7999123450{n}")

    for n in range(3):
        Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").post(
            reverse("account_request_login_code"), {"phone": f"+7999123450{n}"}
        )

    assert len(sms_outbox) == 2


def test_three_wrong_codes_void_the_code_and_nobody_signs_in(client, sms_outbox):
    factories.UserFactory(phone="+79991234567")
    confirm_url = client.post(reverse("account_request_login_code"), {"phone": "89991234567"})["Location"]
    right = sms_code(sms_outbox)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(2):
        assert "Неверный код." in client.post(confirm_url, {"code": wrong}).content.decode()
    client.post(confirm_url, {"code": wrong})

    response = client.post(confirm_url, {"code": right})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_request_login_code"))
    assert SESSION_KEY not in client.session


def test_code_attempts_from_one_address_are_limited(settings, sms_outbox):
    settings.ACCOUNT_RATE_LIMITS = {**PRODUCTION_LIMITS, "confirm_login_code": "10/5m/ip"}
    confirm = {}
    for n in range(4):
        factories.UserFactory(phone=f"+7999123450{n}")
        client = Client()
        url = client.post(reverse("account_request_login_code"), {"phone": f"+7999123450{n}"})["Location"]
        confirm[n] = (client, url, sms_code(sms_outbox))
    for n in range(3):
        client, url, right = confirm[n]
        for _ in range(3):
            client.post(url, {"code": "000000" if right != "000000" else "111111"})
    client, url, right = confirm[3]
    client.post(url, {"code": "000000" if right != "000000" else "111111"})

    response = client.post(url, {"code": right})

    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    assert SESSION_KEY not in client.session


def test_after_five_wrong_passwords_even_the_right_one_is_refused(client):
    factories.UserFactory(email="teacher@example.ru")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "teacher@example.ru", "password": "неверный"})

    response = client.post(reverse("account_login"), {"login": "teacher@example.ru", "password": PASSWORD})

    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    assert SESSION_KEY not in client.session


def test_right_password_within_the_limit_signs_in(client):
    user = factories.UserFactory(email="teacher@example.ru")
    for _ in range(4):
        client.post(reverse("account_login"), {"login": "teacher@example.ru", "password": "неверный"})

    client.post(reverse("account_login"), {"login": "teacher@example.ru", "password": PASSWORD})

    assert str(client.session[SESSION_KEY]) == str(user.pk)


def test_too_many_sign_in_posts_from_one_address_get_a_russian_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**PRODUCTION_LIMITS, "login": "3/m/ip"}
    for _ in range(3):
        client.post(reverse("account_login"), {"login": "x@example.ru", "password": "неверный"})

    response = client.post(reverse("account_login"), {"login": "x@example.ru", "password": "неверный"})

    assert response.status_code == 429
    assert "Слишком много попыток" in response.content.decode()
