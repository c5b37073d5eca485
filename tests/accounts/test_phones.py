import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.phones import INVALID_PHONE_MESSAGE, format_phone, normalize_phone
from notifications.models import Message


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("8 (999) 123-45-67", "+79991234567"),
        ("+7 999 1234567", "+79991234567"),
        ("89991234567", "+79991234567"),
        ("+7 (999) 123 45 67", "+79991234567"),
        ("7 999 123-45-67", "+79991234567"),
        ("9991234567", "+79991234567"),
        ("  8-912-345-67-89  ", "+79123456789"),
        ("+79123456789", "+79123456789"),
        ("8 (4822) 12-34-56", "+74822123456"),
    ],
)
def test_phone_typed_as_people_do_is_stored_as_e164(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "123",
        "8 999 123",
        "+7 999 123-45-67-89",
        "телефон",
        "+1 999",
        "8 (000) 000-00-00",
        "++79991234567x",
        "8-999-123-45-6a",
    ],
)
def test_malformed_phone_is_rejected_with_a_russian_message(typed):
    with pytest.raises(ValidationError) as exc:
        normalize_phone(typed)

    assert exc.value.messages == [INVALID_PHONE_MESSAGE]
    assert "Неверный номер телефона" in exc.value.messages[0]


def test_phone_is_shown_grouped():
    assert format_phone("+79991234567") == "+7 999 123-45-67"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["123", "8 999 12", "телефон"])
def test_malformed_phone_on_code_request_shows_error_and_sends_nothing(client, sms_outbox, typed):
    response = client.post("/accounts/login/code/", {"phone": typed})

    assert response.status_code == 200
    assert INVALID_PHONE_MESSAGE in response.content.decode()
    assert sms_outbox == []
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_malformed_phone_on_sign_up_shows_error_and_creates_nobody(client, sms_outbox):
    response = client.post(
        "/accounts/signup/", {"last_name": "Иванов", "first_name": "Иван", "patronymic": "", "phone": "8 999 12"}
    )

    assert response.status_code == 200
    assert INVALID_PHONE_MESSAGE in response.content.decode()
    assert not User.objects.exists()
    assert sms_outbox == []
