"""Search ignores case, reads «ё» as «е» and finds phones in any common format, on PostgreSQL and SQLite alike.

Run this file with DATABASE_URL=sqlite:///… too: SQLite's own lower() and LIKE know only ASCII.
"""

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.search import fold, search_terms, sort_key
from accounts.services import PersonByPhone, user_profile_update, users_get_or_create_many
from colleges.models import Role
from colleges.selectors import membership_list, staff_list
from groups.selectors import study_group_list
from invitations.models import JoinRequest
from invitations.selectors import invitation_list, join_request_list
from invitations.services import invitation_create
from movement.models import Movement
from movement.selectors import movement_list, people_list
from tests import factories
from tests.college_api import api_url
from tests.conftest import add_totp

pytestmark = pytest.mark.django_db

PHONE = "+79992000015"
PHONE_QUERIES = ["8 999 200-00-15", "+7 (999) 200-00-15", "89992000015", "79992000015", "999 200 00 15", "200-00-15"]


def _person(college, last_name, *, role=Role.TEACHER, phone=None, first_name="Анна"):
    user = factories.UserFactory(
        last_name=last_name, first_name=first_name, patronymic="", **({"phone": phone} if phone else {})
    )
    return factories.MembershipFactory(college=college, user=user, role=role)


@pytest.fixture
def people(db):
    college = factories.CollegeFactory()
    made = {
        "belov": _person(college, "Белов", first_name="Игорь", phone=PHONE),
        "yolkina": _person(college, "Ёлкина"),
        "eremina": _person(college, "Еремина"),
        "borisova": _person(college, "Борисова"),
    }
    _person(factories.CollegeFactory(), "Белова")  # another college's person is never found
    return college, made


def _names(memberships):
    return [m.user.last_name for m in memberships]


# --- The one normalization -----------------------------------------------------------------------


def test_fold_lowers_cyrillic_and_reads_yo_as_ye():
    assert fold("  ЁЛКИНА   Анна ") == "елкина анна"


def test_a_phone_typed_with_spaces_is_one_term_of_digits():
    assert [t.person for t in search_terms("8 999 200-00-15")] == ["89992000015"]


def test_sort_key_puts_yo_between_ye_and_zhe():
    assert sorted(["Ёлкина", "Жукова", "Еремина", "Борисова"], key=sort_key) == [
        "Борисова",
        "Еремина",
        "Ёлкина",
        "Жукова",
    ]


# --- People: memberships, staff, movement's people -------------------------------------------------


@pytest.mark.parametrize("query", ["белов", "БЕЛОВ", "Белов Игорь", "игорь"])
def test_people_are_found_whatever_the_case(people, query):
    college, made = people

    assert _names(membership_list(college=college, search=query)) == ["Белов"]


@pytest.mark.parametrize("query", ["Елкина", "елкина", "ЁЛКИНА", "ёлкина"])
def test_yo_and_ye_find_each_other(people, query):
    college, made = people

    assert _names(staff_list(college=college, search=query)) == ["Ёлкина"]


@pytest.mark.parametrize("query", PHONE_QUERIES)
def test_a_phone_is_found_in_any_common_format(people, query):
    college, made = people

    assert _names(people_list(college=college, search=query)) == ["Белов"]


def test_people_are_sorted_by_the_alphabet_with_yo_after_ye(people):
    college, made = people

    assert _names(membership_list(college=college)) == ["Белов", "Борисова", "Еремина", "Ёлкина"]
    assert _names(people_list(college=college)) == ["Белов", "Борисова", "Еремина", "Ёлкина"]


def test_search_text_follows_a_changed_name(people):
    college, made = people
    user = made["borisova"].user

    user_profile_update(actor=user, user=user, last_name="Ёжикова", first_name=user.first_name)

    assert _names(membership_list(college=college, search="ежикова")) == ["Ёжикова"]
    assert _names(membership_list(college=college, search="борисова")) == []


def test_existing_users_get_search_fields_from_the_data_migration(people):
    college, made = people
    User.objects.update(search_text="", sort_name="")
    migration = importlib.import_module("accounts.migrations.0006_fill_user_search_fields")

    migration.fill(apps, SimpleNamespace(connection=connection))

    assert list(User.objects.filter(search_text__contains="елкина").values_list("last_name", flat=True)) == ["Ёлкина"]
    assert list(User.objects.filter(pk__in=[m.user_id for m in made.values()]).order_by("sort_name").values_list(
        "last_name", flat=True
    )) == ["Белов", "Борисова", "Еремина", "Ёлкина"]  # fmt: skip


# --- Movements, invitations, join requests, groups ------------------------------------------------


def test_movements_are_found_by_person_phone_and_lower_case_group_name(people):
    college, made = people
    groups = [factories.StudyGroupFactory(college=college, name=name) for name in ("ИС-21", "ТМ-22")]
    today = datetime.date.today()
    for membership in (made["belov"], made["yolkina"]):
        Movement.objects.create(
            college=college,
            kind="transfer",
            person=membership,
            from_group=groups[0],
            to_group=groups[1],
            order_number="15-к",
            order_date=today,
            effective_date=today,
        )
    viewer = factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR).user

    def found(query):
        return sorted(
            (m.person.user.last_name for m in movement_list(viewer=viewer, college=college, search=query)), key=sort_key
        )

    assert found("елкина") == ["Ёлкина"]
    assert found("8 999 200-00-15") == ["Белов"]
    assert found("тм-22") == ["Белов", "Ёлкина"]
    assert found("15-К") == ["Белов", "Ёлкина"]


def test_invitations_are_found_by_lower_case_group_name_and_author(people):
    college, made = people
    factories.StudyGroupFactory(college=college, name="ЭЛ-31")
    group = factories.StudyGroupFactory(college=college, name="ИС-21")
    admin = factories.MembershipFactory(
        college=college, role=Role.ADMINISTRATOR, user=factories.UserFactory(last_name="Ёлкин")
    ).user
    invitation_create(
        actor=admin,
        college=college,
        role=Role.STUDENT,
        group=group,
        max_uses=30,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )

    assert [i.group.name for i in invitation_list(viewer=admin, college=college, search="ис-21")] == ["ИС-21"]
    assert [i.group.name for i in invitation_list(viewer=admin, college=college, search="елкин")] == ["ИС-21"]
    assert list(invitation_list(viewer=admin, college=college, search="эл-31")) == []


@pytest.mark.parametrize("query", ["елкина", "8 999 200-00-15", "БЕЛОВ"])
def test_join_requests_are_found_by_name_and_phone(people, query):
    college, made = people
    group = factories.StudyGroupFactory(college=college)
    for key in ("belov", "yolkina"):
        JoinRequest.objects.create(college=college, user=made[key].user, role=Role.STUDENT, group=group)
    viewer = factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR).user

    found = [r.user.last_name for r in join_request_list(viewer=viewer, college=college, search=query)]

    assert found == (["Ёлкина"] if query == "елкина" else ["Белов"])


def test_study_groups_are_found_by_lower_case_name(people):
    college, made = people
    factories.StudyGroupFactory(college=college, name="ИС-21")
    factories.StudyGroupFactory(college=college, name="ТМ-22")

    assert [g.name for g in study_group_list(college=college, search="ис-21")] == ["ИС-21"]


# --- Pages and API ----------------------------------------------------------------------------------


def _administrator(college):
    user = factories.MembershipFactory(
        college=college, role=Role.ADMINISTRATOR, user=factories.UserFactory(last_name="Яковлев")
    ).user
    add_totp(user)
    return user


def test_staff_page_finds_by_lower_case_name_and_phone(people, client):
    college, made = people
    client.force_login(_administrator(college))

    by_name = client.get(reverse("colleges:staff_list"), {"q": "елкина"})
    by_phone = client.get(reverse("colleges:staff_list"), {"q": "8 999 200-00-15"})

    assert "Ёлкина" in by_name.text and "Белов" not in by_name.text
    assert "Белов" in by_phone.text and "Ёлкина" not in by_phone.text


def test_people_page_lists_yo_after_ye(people, client):
    college, made = people
    client.force_login(_administrator(college))

    text = client.get(reverse("movement:people")).text

    assert text.index("Борисова") < text.index("Еремина") < text.index("Ёлкина")


def test_memberships_api_finds_by_lower_case_name_and_phone(people, client):
    college, made = people
    client.force_login(_administrator(college))
    url = api_url("api:membership-list", college)

    by_name = client.get(url, {"search": "белов"}).json()
    by_phone = client.get(url, {"search": "8 999 200-00-15"}).json()

    assert [row["id"] for row in by_name["results"]] == [made["belov"].pk]
    assert [row["id"] for row in by_phone["results"]] == [made["belov"].pk]


def test_people_created_in_bulk_by_an_import_are_found_and_sorted(people):
    college, made = people
    ids = users_get_or_create_many(
        people=[PersonByPhone(phone="+79992000099", last_name="Ёжикова", first_name="Анна", patronymic="")]
    )
    factories.MembershipFactory(college=college, user_id=ids["+79992000099"], role=Role.STUDENT)

    assert _names(membership_list(college=college, search="ежикова")) == ["Ёжикова"]
    assert _names(membership_list(college=college, search="8 999 200-00-99")) == ["Ёжикова"]
    assert _names(membership_list(college=college))[-2:] == ["Ёжикова", "Ёлкина"]
