"""``groups.selectors.audience_memberships``: who an audience reaches now (sessions and announcements ask it)."""

import datetime

import pytest

from colleges.models import Membership, Role
from groups.models import GroupParent
from groups.selectors import EVERY_ROLE, audience_memberships
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(college):
    first, second = factories.StudyGroupFactory(college=college), factories.StudyGroupFactory(college=college)
    out = {
        "first": first,
        "second": second,
        "teacher": factories.MembershipFactory(college=college, role=Role.TEACHER),
        "director": factories.MembershipFactory(college=college, role=Role.ADMINISTRATION),
        "student": factories.EnrollmentFactory(group=first).student,
        "other_student": factories.EnrollmentFactory(group=second).student,
        "left": factories.EnrollmentFactory(group=first, ended_at=datetime.date(2026, 10, 1)).student,
        "parent": factories.MembershipFactory(college=college, role=Role.PARENT),
        "other_parent": factories.MembershipFactory(college=college, role=Role.PARENT),
        "suspended": factories.MembershipFactory(
            college=college, role=Role.TEACHER, status=Membership.Status.SUSPENDED
        ),
        "elsewhere": factories.EnrollmentFactory(group=factories.StudyGroupFactory()).student,
    }
    GroupParent.objects.create(college=college, parent=out["parent"], group=first)
    GroupParent.objects.create(college=college, parent=out["other_parent"], group=second)
    return out


def _reached(people, college, **audience) -> set[str]:
    ids = set(audience_memberships(college=college, **audience).values_list("pk", flat=True))
    return {name for name, value in people.items() if isinstance(value, Membership) and value.pk in ids}


def test_every_role_is_the_whole_college_active_only(people, college):
    assert _reached(people, college, roles=EVERY_ROLE) == {
        "teacher",
        "director",
        "student",
        "other_student",
        "left",
        "parent",
        "other_parent",
    }


def test_roles_reach_their_holders(people, college):
    assert _reached(people, college, roles=[Role.TEACHER, Role.ADMINISTRATION]) == {"teacher", "director"}


def test_a_groups_students_are_those_enrolled_in_it_now(people, college):
    assert _reached(people, college, students_of=[people["first"].pk]) == {"student"}


def test_a_groups_parents_are_its_own(people, college):
    assert _reached(people, college, parents_of=[people["first"].pk]) == {"parent"}


def test_the_parts_of_an_audience_add_up(people, college):
    first = [people["first"].pk]

    assert _reached(people, college, students_of=first, parents_of=first) == {"student", "parent"}
    assert _reached(people, college) == set()
