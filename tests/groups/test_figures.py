"""The dashboard's figures and idle-teacher preview (plain SQL statements) against the ORM's counts."""

import pytest

from colleges.models import STAFF_ROLES, Membership, Role
from groups import selectors
from groups.models import StudyGroup
from tests import factories

pytestmark = pytest.mark.django_db


def test_college_figures_agree_with_counts_of_the_rows(college):
    other = factories.CollegeFactory()
    department = factories.DepartmentFactory(college=college)
    factories.DepartmentFactory(college=other)
    curated = factories.StudyGroupFactory(college=college, department=department)
    factories.CuratorAssignmentFactory(group=curated)
    factories.EnrollmentFactory(group=curated)
    factories.StudyGroupFactory(college=college, department=department)
    factories.StudyGroupFactory(college=college, department=department, status=StudyGroup.Status.ARCHIVED)
    factories.StudyGroupFactory(college=other)
    factories.MembershipFactory(college=college, role=Role.TEACHER, status=Membership.Status.LEFT)
    factories.MembershipFactory(college=other, role=Role.STUDENT)

    figures = selectors.college_figures(college=college)

    active = Membership.objects.filter(college=college, status=Membership.Status.ACTIVE)
    assert figures == {
        "departments": college.departments.count(),
        "study_groups": StudyGroup.objects.filter(college=college, status=StudyGroup.Status.ACTIVE).count(),
        "staff": active.filter(role__in=STAFF_ROLES).count(),
        "students": active.filter(role=Role.STUDENT).count(),
        "without_curator": selectors.groups_without_curator(college=college).count(),
        "without_students": selectors.groups_without_students(college=college).count(),
    }
    assert figures["without_curator"] == figures["without_students"] == 1


def test_idle_teacher_preview_counts_all_and_names_the_first_by_surname(college):
    for surname in ["Яковлев", "Антонов", "Борисов", "Власов", "Громов", "Дёмин", "Егоров"]:
        factories.MembershipFactory(college=college, role=Role.TEACHER, user__last_name=surname, user__first_name="Ян")
    busy = factories.CuratorAssignmentFactory(group=factories.StudyGroupFactory(college=college))
    factories.MembershipFactory(college=factories.CollegeFactory(), role=Role.TEACHER, user__last_name="Абрамов")

    count, names = selectors.teachers_without_assignment_preview(college=college, limit=5)

    assert count == selectors.teachers_without_assignment(college=college).count() == 7
    assert busy.teacher.user.short_name not in names
    assert [name.split()[0] for name in names] == ["Антонов", "Борисов", "Власов", "Громов", "Дёмин"]


def test_idle_teacher_preview_of_a_college_without_idle_teachers(college):
    assert selectors.teachers_without_assignment_preview(college=college, limit=5) == (0, [])
