"""Loading the signed-in person on every request (accounts.backends, accounts.selectors.user_by_pk)."""

import pytest
from django.contrib.auth import get_user
from django.test import RequestFactory

from accounts.backends import AuthenticationBackend, ModelBackend
from accounts.selectors import user_by_pk
from tests import factories

pytestmark = pytest.mark.django_db


def test_user_by_pk_loads_every_field_in_one_query(django_assert_num_queries):
    person = factories.UserFactory(last_name="Сергеева", first_name="Ольга", email="o@example.org")

    with django_assert_num_queries(1):
        loaded = user_by_pk(person.pk)

    assert loaded == person
    assert (loaded.last_name, loaded.first_name, loaded.email, loaded.phone) == (
        "Сергеева",
        "Ольга",
        "o@example.org",
        person.phone,
    )
    assert loaded.get_session_auth_hash() == person.get_session_auth_hash()
    assert user_by_pk(person.pk + 10_000) is None


@pytest.mark.parametrize("backend", [ModelBackend, AuthenticationBackend])
def test_backends_refuse_a_deactivated_person(backend):
    person = factories.UserFactory()
    assert backend().get_user(person.pk) == person

    person.is_active = False
    person.save(update_fields=["is_active"])

    assert backend().get_user(person.pk) is None


def test_a_signed_in_request_gets_its_person(client):
    person = factories.UserFactory()
    client.force_login(person)
    request = RequestFactory().get("/")
    request.session = client.session

    assert get_user(request) == person
