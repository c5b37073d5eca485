"""Named API keys: hashed at rest, expiring, revocable, revoked by signing out everywhere, acting in one college."""

import datetime
import hashlib
import importlib
import re
import types

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.authentication import TOKEN_INVALID_MESSAGE
from accounts.models import ApiToken
from audit.models import AuditEvent
from colleges.models import Role
from tests import factories
from tests.accounts.helpers import api_key_for
from tests.accounts.test_profile import PROFILE_URL, sign_in_by_code
from tests.college_api import api_url
from tests.conftest import add_totp

pytestmark = pytest.mark.django_db

carry_over_migration = importlib.import_module("accounts.migrations.0004_carry_over_plaintext_api_tokens")


def api_get(key: str, url: str | None = None):
    return Client().get(url or reverse("api:me"), HTTP_AUTHORIZATION=f"Token {key}")


def shown_key(html: str) -> str:
    return re.search(r'id="new-token" type="text" value="([^"]+)"', html).group(1)


def create_on_profile(client, *, name: str, college=None, lifetime_days: int = 90):
    data = {"name": name, "lifetime_days": lifetime_days}
    if college is not None:
        data["college"] = college.pk
    return client.post(reverse("accounts:api_token_create"), data, follow=True)


def test_teacher_makes_a_named_key_for_the_college_and_sees_it_once(client):
    membership = factories.MembershipFactory(role=Role.TEACHER)
    client.force_login(membership.user)

    response = create_on_profile(client, name="Электронный журнал", college=membership.college)

    key = shown_key(response.content.decode())
    token = ApiToken.objects.get(user=membership.user)
    assert (token.name, token.college) == ("Электронный журнал", membership.college)
    assert token.expires_at.date() == (timezone.now() + datetime.timedelta(days=90)).date()
    assert api_get(key).json()["phone"] == membership.user.phone
    later = client.get(PROFILE_URL).content.decode()
    assert key not in later
    assert "Электронный журнал" in later
    assert token.key_prefix in later


def test_database_holds_no_plaintext_key(client):
    membership = factories.MembershipFactory(role=Role.TEACHER)

    _token, key = services.api_token_create(actor=membership.user, name="1С", college=membership.college)

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert key not in stored
    assert hashlib.sha256(key.encode()).hexdigest() in stored


def test_key_stops_working_after_signing_out_everywhere_on_the_profile(sms_outbox):
    user = factories.UserFactory(phone="+79991234567")
    browser = sign_in_by_code(Client(), "89991234567", sms_outbox)
    key = api_key_for(user)
    assert api_get(key).status_code == 200

    browser.post(reverse("accounts:sessions_end_others"))

    response = api_get(key)
    assert response.status_code == 401
    assert response.json() == {"detail": TOKEN_INVALID_MESSAGE}
    assert AuditEvent.objects.filter(action="accounts.api_tokens_revoke_all", after__revoked=1).exists()


def test_key_stops_working_after_signing_out_on_allauths_sessions_page(sms_outbox):
    user = factories.UserFactory(phone="+79991234567")
    sign_in_by_code(Client(), "89991234567", sms_outbox, user_agent="Телефон")
    laptop = sign_in_by_code(Client(), "89991234567", sms_outbox, user_agent="Ноутбук")
    key = api_key_for(user)

    laptop.post(reverse("usersessions_list"))

    assert api_get(key).status_code == 401


def test_key_stops_working_after_its_expiry():
    user = factories.UserFactory()
    key = api_key_for(user, days=30)
    assert api_get(key).status_code == 200

    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    assert api_get(key).status_code == 401


def test_revoking_one_key_leaves_the_others_working(client):
    user = factories.UserFactory()
    journal, accounting = api_key_for(user, name="Журнал"), api_key_for(user, name="1С")
    client.force_login(user)

    response = client.post(
        reverse("accounts:api_token_revoke", args=[ApiToken.objects.get(name="Журнал").pk]), follow=True
    )

    assert "Ключ API «Журнал» отозван." in response.content.decode()
    assert api_get(journal).status_code == 401
    assert api_get(accounting).status_code == 200
    assert "Журнал" not in client.get(PROFILE_URL).content.decode().split('id="api-tokens"')[1]


def test_someone_elses_key_cannot_be_revoked(client):
    owner = factories.UserFactory()
    key = api_key_for(owner)
    client.force_login(factories.UserFactory())

    response = client.post(reverse("accounts:api_token_revoke", args=[ApiToken.objects.get(user=owner).pk]))

    assert response.status_code == 404
    assert api_get(key).status_code == 200


def test_key_acts_only_in_its_own_college():
    first = factories.MembershipFactory(role=Role.ADMINISTRATOR)
    second = factories.MembershipFactory(role=Role.ADMINISTRATOR, user=first.user)
    add_totp(first.user)
    factories.DisciplineFactory(college=first.college, name="Химия")
    factories.DisciplineFactory(college=second.college, name="Физика")
    _token, key = services.api_token_create(actor=first.user, name="1С", college=second.college)

    disciplines = api_get(key, api_url("api:discipline-list", second.college)).json()["results"]
    colleges = api_get(key, reverse("api:college-list")).json()["results"]
    foreign = api_get(key, reverse("api:college-detail", args=[first.college.pk]))
    foreign_disciplines = api_get(key, api_url("api:discipline-list", first.college))

    assert [d["name"] for d in disciplines] == ["Физика"]
    assert [c["id"] for c in colleges] == [second.college.pk]
    assert foreign.status_code == 404
    assert foreign_disciplines.status_code == 404


def test_key_made_for_another_persons_college_is_refused():
    membership = factories.MembershipFactory(role=Role.TEACHER)
    stranger_college = factories.CollegeFactory()

    with pytest.raises(services.ValidationError) as error:
        services.api_token_create(actor=membership.user, name="Журнал", college=stranger_college)

    assert "college" in error.value.message_dict
    assert not ApiToken.objects.exists()


def test_two_live_keys_may_not_share_a_name(client):
    membership = factories.MembershipFactory(role=Role.TEACHER)
    client.force_login(membership.user)
    create_on_profile(client, name="Журнал", college=membership.college)

    response = create_on_profile(client, name="Журнал", college=membership.college)

    assert response.status_code == 400
    assert services.TOKEN_NAME_TAKEN_MESSAGE in response.content.decode()
    assert ApiToken.objects.count() == 1


def test_a_key_without_a_name_is_refused_in_russian(client):
    membership = factories.MembershipFactory(role=Role.TEACHER)
    client.force_login(membership.user)

    response = create_on_profile(client, name="", college=membership.college)

    assert response.status_code == 400
    assert "Обязательное поле." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_staff_without_totp_gets_no_api_key(client):
    membership = factories.MembershipFactory(role=Role.ADMINISTRATOR)
    client.force_login(membership.user)

    response = create_on_profile(client, name="Журнал", college=membership.college)

    assert not ApiToken.objects.exists()
    assert services.TOKEN_NEEDS_TOTP_MESSAGE in response.content.decode()


def test_key_authenticates_in_one_query(django_assert_num_queries):
    key = api_key_for(factories.UserFactory())
    client = Client()

    with django_assert_num_queries(1):
        response = client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200


@pytest.mark.parametrize("count", [2, 20])
def test_profile_query_count_does_not_grow_with_keys(client, django_assert_num_queries, count):
    membership = factories.MembershipFactory(role=Role.TEACHER)
    for i in range(count):
        api_key_for(membership.user, college=membership.college, name=f"Ключ {i}")
    client.force_login(membership.user)
    client.get(PROFILE_URL)

    with django_assert_num_queries(9):
        response = client.get(PROFILE_URL)

    assert response.content.decode().count("Ключ ") >= count


def test_migration_hashes_the_former_plaintext_keys_and_erases_them():
    user = factories.UserFactory()
    legacy_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token"
            " (key varchar(40) PRIMARY KEY, user_id bigint, created timestamp with time zone)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [legacy_key, user.pk, timezone.now()])
    schema_editor = types.SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)

    carry_over_migration.carry_over(django_apps(), schema_editor)

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
    token = ApiToken.objects.get(user=user)
    assert token.name == carry_over_migration.CARRIED_OVER_NAME
    assert token.college is None
    assert api_get(legacy_key).status_code == 200


def django_apps():
    from django.apps import apps

    return apps


def test_a_name_taken_at_the_same_moment_is_refused_by_the_database(monkeypatch):
    membership = factories.MembershipFactory(role=Role.TEACHER)
    api_key_for(membership.user, college=membership.college, name="Журнал")
    # As if the other request's key were not yet visible when this one checked.
    monkeypatch.setattr(services.ApiToken.objects, "filter", lambda **kwargs: ApiToken.objects.none())

    with pytest.raises(services.ValidationError) as error:
        services.api_token_create(actor=membership.user, name="Журнал", college=membership.college)

    assert error.value.message_dict["name"] == [services.TOKEN_NAME_TAKEN_MESSAGE]
