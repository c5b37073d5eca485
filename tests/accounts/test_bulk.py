"""``users_get_or_create_many``: the people of a roster import, by phone, in one go (PostgreSQL and SQLite)."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

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


def _read_before_someone_else():
    """The service's first read misses what another request is about to commit; later reads see it."""
    real_values_list = QuerySet.values_list
    reads = []

    def stale_first(queryset, *fields, **kwargs):
        reads.append(fields)
        return real_values_list(queryset.none() if len(reads) == 1 else queryset, *fields, **kwargs)

    return mock.patch.object(QuerySet, "values_list", autospec=True, side_effect=stale_first)


def test_a_phone_created_by_someone_else_meanwhile_is_skipped_and_its_id_returned():
    theirs = factories.UserFactory(phone="+79120000002", last_name="Чужой")

    with _read_before_someone_else():
        ids = users_get_or_create_many(
            people=[
                PersonByPhone(phone="+79120000001", last_name="Иванов"),
                PersonByPhone(phone="+79120000002", last_name="Петров"),
            ]
        )

    assert ids["+79120000002"] == theirs.pk
    assert User.objects.get(pk=ids["+79120000001"]).last_name == "Иванов"
    assert User.objects.get(pk=ids["+79120000002"]).last_name == "Чужой"
    assert User.objects.count() == 2
