import re

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import User
from audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db

PROFILE_URL = "/accounts/me/"


def sign_in_by_code(client, phone, outbox, user_agent="Mozilla/5.0 (Android) Chrome"):
    """A real sign-in through allauth (so allauth records the session)."""
    client.defaults["HTTP_USER_AGENT"] = user_agent
    response = client.post(reverse("account_request_login_code"), {"phone": phone})
    code = re.search(r"\b(\d{6})\b", outbox[-1]["text"]).group(1)
    client.post(response["Location"], {"code": code})
    assert SESSION_KEY in client.session
    return client


def test_profile_shows_names_phone_2fa_sessions_and_token(client):
    user = factories.UserFactory(phone="+79991234567", last_name="Петрова", first_name="Мария")
    client.force_login(user)

    html = client.get(PROFILE_URL).content.decode()

    assert "+7 999 123-45-67" in html
    assert 'value="Петрова"' in html
    assert reverse("mfa_index") in html
    assert "Сеансы" in html
    assert "Ключи API" in html
    assert reverse("account_change_password") in html


def test_phone_only_user_is_offered_to_set_a_password(client):
    user = factories.UserFactory()
    user.set_unusable_password()
    user.save()
    client.force_login(user)

    html = client.get(PROFILE_URL).content.decode()

    assert reverse("account_set_password") in html


def test_person_edits_own_names_and_email(client):
    user = factories.UserFactory(email=None)
    client.force_login(user)

    response = client.post(
        PROFILE_URL,
        {"last_name": " Смирнова ", "first_name": "Анна", "patronymic": "", "email": "Anna.Smirnova@Example.ru"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.last_name, user.first_name, user.patronymic, user.email) == (
        "Смирнова",
        "Анна",
        "",
        "anna.smirnova@example.ru",
    )
    event = AuditEvent.objects.get(action="accounts.profile_update")
    assert event.after["last_name"] == "Смирнова"


def test_email_taken_by_another_person_is_refused_case_insensitively(client):
    factories.UserFactory(email="busy@example.ru")
    user = factories.UserFactory(email=None, last_name="Иванов")
    client.force_login(user)

    response = client.post(PROFILE_URL, {"last_name": "Другой", "first_name": "Иван", "email": "BUSY@example.RU"})

    assert response.status_code == 400
    assert services.EMAIL_TAKEN_MESSAGE in response.content.decode()
    user.refresh_from_db()
    assert (user.last_name, user.email) == ("Иванов", None)


def test_own_email_may_be_kept_in_another_case(client):
    user = factories.UserFactory(email="me@example.ru")
    client.force_login(user)

    response = client.post(PROFILE_URL, {"last_name": "Иванов", "first_name": "Иван", "email": "ME@example.ru"})

    assert response.status_code == 302


def test_empty_names_are_refused_in_russian(client):
    user = factories.UserFactory(last_name="Иванов")
    client.force_login(user)

    response = client.post(PROFILE_URL, {"last_name": "", "first_name": "", "email": "not-an-email"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Обязательное поле." in html
    assert "Введите правильный адрес электронной почты." in html
    user.refresh_from_db()
    assert user.last_name == "Иванов"


def test_service_refuses_editing_someone_else():
    actor, other = factories.UserFactory(), factories.UserFactory()

    with pytest.raises(PermissionDenied):
        services.user_profile_update(actor=actor, user=other, last_name="Х", first_name="Y")


def test_service_refuses_blank_names():
    user = factories.UserFactory()

    with pytest.raises(ValidationError) as exc:
        services.user_profile_update(actor=user, user=user, last_name=" ", first_name="Иван")

    assert exc.value.message_dict == {"last_name": ["Укажите фамилию."]}


def test_email_from_profile_signs_in_with_password(client):
    user = factories.UserFactory(email=None)
    services.user_profile_update(actor=user, user=user, last_name="И", first_name="И", email="new@example.ru")

    response = client.post(reverse("account_login"), {"login": "new@example.ru", "password": "пароль-для-тестов-1"})

    assert response.status_code == 302
    assert str(client.session[SESSION_KEY]) == str(user.pk)


def test_sessions_are_listed_and_others_are_signed_out(sms_outbox):
    user = factories.UserFactory(phone="+79991234567")
    phone = sign_in_by_code(Client(), "89991234567", sms_outbox, user_agent="Телефон Android")
    laptop = sign_in_by_code(Client(), "89991234567", sms_outbox, user_agent="Ноутбук Firefox")
    html = laptop.get(PROFILE_URL).content.decode()
    assert "Телефон Android" in html
    assert "Ноутбук Firefox" in html
    assert "это устройство" in html
    assert "Выйти на всех других устройствах" in html

    response = laptop.post(reverse("accounts:sessions_end_others"))

    assert response.status_code == 302
    assert phone.get(PROFILE_URL)["Location"].startswith("/accounts/login/")
    assert laptop.get(PROFILE_URL).status_code == 200
    assert UserSession.objects.filter(user=user).count() == 1
    assert AuditEvent.objects.filter(action="accounts.sessions_end_others", after__ended=1).exists()


def test_without_other_sessions_there_is_no_sign_out_button(sms_outbox):
    factories.UserFactory(phone="+79991234567")
    client = sign_in_by_code(Client(), "89991234567", sms_outbox)

    html = client.get(PROFILE_URL).content.decode()

    assert "Выйти на всех других устройствах" not in html


@pytest.mark.parametrize("count", [3, 30])
def test_profile_query_count_does_not_grow_with_sessions(client, django_assert_num_queries, count):
    user = factories.UserFactory()
    for i in range(count):
        store = SessionStore()
        store.create()
        UserSession.objects.create(user=user, session_key=store.session_key, ip="10.0.0.1", user_agent=f"UA {i}")
    client.force_login(user)

    with django_assert_num_queries(9):
        response = client.get(PROFILE_URL)

    assert response.content.decode().count("UA ") == count


def test_api_me_edits_own_profile_with_field_errors(client):
    factories.UserFactory(email="busy@example.ru")
    user = factories.UserFactory()
    client.force_login(user)

    bad = client.put(
        reverse("api:me"),
        {"last_name": "Новиков", "first_name": "Олег", "email": "busy@example.ru"},
        "application/json",
    )
    good = client.put(reverse("api:me"), {"last_name": "Новиков", "first_name": "Олег"}, "application/json")

    assert bad.status_code == 400
    assert bad.json()["email"] == [services.EMAIL_TAKEN_MESSAGE]
    assert good.status_code == 200
    assert User.objects.get(pk=user.pk).last_name == "Новиков"


def test_person_changes_phone_after_confirming_the_new_one_by_sms(client, sms_outbox):
    from tests.accounts.helpers import force_login_fresh

    user = factories.UserFactory(phone="+79991234567")
    force_login_fresh(client, user)

    response = client.post(reverse("account_change_phone"), {"phone": "8 912 111-22-33"})
    assert response["Location"] == reverse("account_verify_phone")
    user.refresh_from_db()
    assert user.phone == "+79991234567"
    page = client.get(reverse("account_verify_phone")).content.decode()
    assert "+7 912 111-22-33" in page
    assert reverse("accounts:profile") in page
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1]["text"]).group(1)

    client.post(reverse("account_verify_phone"), {"code": code})

    user.refresh_from_db()
    assert (user.phone, user.phone_verified) == ("+79121112233", True)
    event = AuditEvent.objects.get(action="accounts.phone_change")
    assert (event.before, event.after) == ({"phone": "+79991234567"}, {"phone": "+79121112233"})


def test_phone_of_another_person_cannot_be_taken(client, sms_outbox):
    from tests.accounts.helpers import force_login_fresh

    factories.UserFactory(phone="+79121112233")
    user = factories.UserFactory(phone="+79991234567")
    force_login_fresh(client, user)

    client.post(reverse("account_change_phone"), {"phone": "89121112233"})

    user.refresh_from_db()
    assert user.phone == "+79991234567"
