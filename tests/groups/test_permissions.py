"""One table: every role × every groups action → allowed or not."""

import pytest

from colleges.models import Role
from groups import permissions
from tests import factories

ROLES = (
    "administrator",
    "administration",
    "teacher",
    "curator",
    "subject_teacher",
    "student",
    "parent",
    "other_administrator",
    "outsider",
)

# action → (predicate, takes the group instead of the college, roles allowed)
TABLE = {
    "view_dashboard": (permissions.can_view_dashboard, False, {"administrator", "administration"}),
    "view_study_group_list": (permissions.can_view_study_group_list, False, {"administrator", "administration"}),
    "create_study_group": (permissions.can_create_study_group, False, {"administrator"}),
    "edit_study_group": (permissions.can_edit_study_group, True, {"administrator"}),
    "view_study_group": (
        permissions.can_view_study_group,
        True,
        {"administrator", "administration", "curator", "subject_teacher"},
    ),
    "assign_curator": (permissions.can_assign_curator, True, {"administrator"}),
    "assign_subject_teacher": (permissions.can_assign_subject_teacher, True, {"administrator"}),
    "view_staff_groups": (permissions.can_view_staff_groups, False, {"administrator", "administration"}),
    "manage_staff_groups": (permissions.can_manage_staff_groups, False, {"administrator"}),
    "view_disciplines": (permissions.can_view_disciplines, False, {"administrator", "administration"}),
    "manage_disciplines": (permissions.can_manage_disciplines, False, {"administrator"}),
    "view_assignments": (permissions.can_view_assignments, False, {"administrator", "administration"}),
    "view_my_groups": (permissions.can_view_my_groups, False, {"teacher", "curator", "subject_teacher"}),
    "view_my_group": (permissions.can_view_my_group, False, {"student"}),
}


@pytest.fixture
def people(db):
    college = factories.CollegeFactory()
    other_college = factories.CollegeFactory()
    group = factories.StudyGroupFactory(college=college)
    role_of = {
        "administrator": Role.ADMINISTRATOR,
        "administration": Role.ADMINISTRATION,
        "teacher": Role.TEACHER,
        "curator": Role.TEACHER,
        "subject_teacher": Role.TEACHER,
        "student": Role.STUDENT,
        "parent": Role.PARENT,
    }
    members = {name: factories.MembershipFactory(college=college, role=role) for name, role in role_of.items()}
    factories.CuratorAssignmentFactory(group=group, teacher=members["curator"])
    factories.SubjectTeacherAssignmentFactory(group=group, teacher=members["subject_teacher"])
    factories.EnrollmentFactory(group=group, student=members["student"])
    users = {name: m.user for name, m in members.items()}
    users["other_administrator"] = factories.MembershipFactory(college=other_college, role=Role.ADMINISTRATOR).user
    users["outsider"] = factories.UserFactory()
    return {"college": college, "group": group, "users": users}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(TABLE))
def test_role_action_table(people, role, action):
    predicate, on_group, allowed = TABLE[action]
    target = people["group"] if on_group else people["college"]

    result = predicate(people["users"][role], target)

    assert result is (role in allowed), f"{role} {action}"


def test_an_ended_curatorship_no_longer_opens_the_group(people):
    group = people["group"]
    curator = people["users"]["curator"]
    group.curator_assignments.update(ended_at="2026-12-31")

    assert permissions.can_view_study_group(curator, group) is False
