"""A membership keeps copies of its user's search text and sort key (issue #12): every way a membership is
made fills them, every way a person's name or phone changes updates them, and lists of a college's people
search and sort by them. Runs on SQLite too."""

import importlib
from types import SimpleNamespace

import pytest
from allauth.account.adapter import get_adapter
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import user_get_or_create_by_phone, user_get_or_create_with_names, user_profile_update
from colleges.models import Membership, Role
from colleges.selectors import membership_list
from colleges.services import membership_create_unchecked, memberships_add_many_unchecked
from movement.selectors import people_list
from tests import factories

pytestmark = pytest.mark.django_db

NEW_PHONE = "+79995550101"  # a number this database has never seen


def _copies(membership):
    membership.refresh_from_db()
    return membership.search_text, membership.sort_name


def _names(memberships):
    return [m.user.last_name for m in memberships]


def test_a_membership_made_by_the_service_copies_the_users_names_in_its_one_insert(college):
    user = factories.UserFactory(last_name="Ёлкина", first_name="Анна", patronymic="", phone="+79990000021")

    with CaptureQueriesContext(connection) as queries:
        membership = membership_create_unchecked(actor=None, college=college, user=user, role=Role.TEACHER)

    assert _copies(membership) == ("елкина анна 79990000021 89990000021", user.sort_name)
    membership_statements = [q["sql"] for q in queries if "colleges_membership" in q["sql"]]
    assert len(membership_statements) == 1 and membership_statements[0].startswith("INSERT")
    assert not [q for q in queries if '"accounts_user"' in q["sql"]]


def test_memberships_added_in_bulk_copy_each_users_names(college):
    users = [factories.UserFactory(last_name=name, first_name="Анна") for name in ("Борисова", "Ёлкина")]
    kept = factories.MembershipFactory(college=college, user=users[0], role=Role.STUDENT)

    found = memberships_add_many_unchecked(
        actor=None, college=college, role=Role.STUDENT, user_ids=[u.pk for u in users]
    )

    assert found[users[0].pk] == kept.pk
    added = Membership.objects.get(pk=found[users[1].pk])
    assert (added.search_text, added.sort_name) == (users[1].search_text, users[1].sort_name)
    assert _names(membership_list(college=college, search="ЕЛКИНА")) == ["Ёлкина"]


def test_a_newcomer_who_joined_by_phone_is_found_by_the_name_given_afterwards(college):
    user = user_get_or_create_by_phone(phone=NEW_PHONE)
    membership = membership_create_unchecked(actor=None, college=college, user=user, role=Role.STUDENT)

    user_profile_update(actor=user, user=user, last_name="Ёжикова", first_name="Вера")

    assert _names(people_list(college=college, search="ежикова вера")) == ["Ёжикова"]
    assert _names(people_list(college=college, search="8 999 555-01-01")) == ["Ёжикова"]
    user.refresh_from_db()
    assert _copies(membership) == (user.search_text, user.sort_name)


def test_names_filled_in_by_a_later_hire_reach_the_persons_memberships(college):
    user = user_get_or_create_by_phone(phone=NEW_PHONE)
    factories.MembershipFactory(college=college, user=user, role=Role.PARENT)

    user_get_or_create_with_names(phone=NEW_PHONE, last_name="Соколова", first_name="Ирина")

    assert _names(membership_list(college=college, search="соколова")) == ["Соколова"]


def test_a_changed_phone_is_searched_in_the_memberships_of_every_college(college, other_college):
    user = factories.UserFactory(last_name="Белов", phone="+79990000031")
    mine = factories.MembershipFactory(college=college, user=user, role=Role.TEACHER)
    factories.MembershipFactory(college=other_college, user=user, role=Role.PARENT)

    get_adapter().set_phone(user, NEW_PHONE, True)

    assert _names(membership_list(college=college, search="8 (999) 555-01-01")) == ["Белов"]
    assert _names(membership_list(college=other_college, search="+7 999 555 01 01")) == ["Белов"]
    assert _names(membership_list(college=college, search="79990000031")) == []
    assert "79995550101" in _copies(mine)[0]


def test_people_are_listed_by_the_copied_sort_key_with_yo_after_ye(college):
    for name in ("Ёлкина", "Еремина", "Жукова", "Борисова"):
        factories.MembershipFactory(college=college, user=factories.UserFactory(last_name=name), role=Role.TEACHER)

    assert _names(people_list(college=college)) == ["Борисова", "Еремина", "Ёлкина", "Жукова"]
    assert _names(membership_list(college=college)) == ["Борисова", "Еремина", "Ёлкина", "Жукова"]


def test_existing_memberships_get_the_copies_from_the_data_migration(college, other_college):
    for place, name in ((college, "Ёлкина"), (other_college, "Белова")):
        factories.MembershipFactory(college=place, user=factories.UserFactory(last_name=name), role=Role.TEACHER)
    Membership.objects.update(search_text="", sort_name="")
    migration = importlib.import_module("colleges.migrations.0006_fill_membership_search_fields")

    migration.fill(apps, SimpleNamespace(connection=connection))

    assert _names(membership_list(college=college, search="елкина")) == ["Ёлкина"]
    assert not Membership.objects.filter(search_text="").exists()
    assert not Membership.objects.filter(sort_name="").exists()
