"""``users_get_or_create_many``: the people of a roster import, by phone, in one go (PostgreSQL and SQLite)."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.services import NAME_MAX_LENGTH, PersonByPhone, users_get_or_create_many
from tests import factories

pytestmark = pytest.mark.django_db


def test_unknown_phones_become_users_without_a_usable_password():
    ids = users_get_or_create_many(
        people=[
            PersonByPhone(phone="+79120000001", last_name="Иванов", first_name="Иван", patronymic="Иванович"),
            PersonByPhone(phone="+79120000002", last_name="Петрова", first_name="Мария"),
        ]
    )

    users = User.objects.in_bulk(ids.values())
    assert sorted(ids) == ["+79120000001", "+79120000002"]
    assert users[ids["+79120000001"]].full_name == "Иванов Иван Иванович"
    assert not any(user.has_usable_password() for user in users.values())


def test_a_known_phone_keeps_its_user_and_names():
    known = factories.UserFactory(phone="+79120000001", last_name="Старова", first_name="Анна")

    ids = users_get_or_create_many(people=[PersonByPhone(phone="+79120000001", last_name="Новова", first_name="Ира")])

    assert ids == {"+79120000001": known.pk}
    known.refresh_from_db()
    assert (known.last_name, known.first_name) == ("Старова", "Анна")
    assert User.objects.count() == 1


def test_a_phone_given_twice_is_one_user():
    ids = users_get_or_create_many(
        people=[PersonByPhone(phone="+79120000001", last_name="А"), PersonByPhone(phone="+79120000001", last_name="Б")]
    )

    assert list(ids) == ["+79120000001"] and User.objects.count() == 1


@pytest.mark.parametrize(
    "person",
    [
        PersonByPhone(phone="89120000001", last_name="Иванов"),
        PersonByPhone(phone="+79120000001", last_name="Я" * (NAME_MAX_LENGTH + 1)),
    ],
)
def test_a_phone_not_in_e164_or_a_name_too_long_is_refused_and_nothing_is_created(person):
    with pytest.raises(ValidationError):
        users_get_or_create_many(people=[PersonByPhone(phone="+79120000009", last_name="Петров"), person])

    assert not User.objects.exists()
