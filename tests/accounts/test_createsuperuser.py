"""The platform staff account is created by phone in any common format; User is in the admin."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import User
from tests import factories
from tests.accounts.helpers import sign_in_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["8 (912) 000-11-22", "+7 912 000 11 22", "89120001122", "9120001122"])
def test_createsuperuser_takes_a_phone_in_any_common_format(typed):
    call_command("createsuperuser", "--noinput", phone=typed, verbosity=0)

    user = User.objects.get()
    assert user.phone == "+79120001122"
    assert user.is_staff and user.is_superuser


def test_createsuperuser_reads_the_phone_from_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PHONE", "8 (912) 000-11-22")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-staff-password-2026")

    call_command("createsuperuser", "--noinput", verbosity=0)

    user = User.objects.get(phone="+79120001122")
    assert user.check_password("a-long-staff-password-2026")


def test_createsuperuser_asks_again_after_a_bad_phone(monkeypatch, capsys):
    answers = iter(["12345", "8 (912) 000-11-22"])
    monkeypatch.setattr("builtins.input", lambda message="": next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a-long-staff-password-2026")

    call_command("createsuperuser", interactive=True, verbosity=0, stdin=FakeTty())

    assert User.objects.get().phone == "+79120001122"
    assert "Неверный номер телефона" in capsys.readouterr().err


class FakeTty:
    def isatty(self):
        return True


def test_an_existing_phone_is_refused_whatever_its_format():
    factories.UserFactory(phone="+79120001122")

    with pytest.raises(CommandError):
        call_command("createsuperuser", "--noinput", phone="8 (912) 000-11-22", verbosity=0)


def test_a_malformed_phone_is_refused_in_russian():
    with pytest.raises(CommandError, match="Неверный номер телефона"):
        call_command("createsuperuser", "--noinput", phone="+7 ABC", verbosity=0)


def test_users_are_listed_and_found_by_phone_in_the_admin(client, django_user_model):
    superuser = django_user_model.objects.create(phone="+79995550001", is_staff=True, is_superuser=True)
    sign_in_with_second_factor(client, superuser)
    factories.UserFactory(phone="+79120001122", last_name="Найденов")
    factories.UserFactory(phone="+79120003344", last_name="Другов")

    response = client.get(reverse("admin:accounts_user_changelist"), {"q": "8 (912) 000-11-22"})

    assert response.status_code == 200
    text = response.content.decode()
    assert "Найденов" in text and "Другов" not in text
