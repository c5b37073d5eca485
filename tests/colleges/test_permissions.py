"""One role × action table for the colleges predicates."""

import pytest

from colleges import permissions
from colleges.models import Role
from tests import factories

ROLES = ("none", "student", "parent", "teacher", "administration", "administrator", "platform_staff")

# action → the roles allowed it in their own college.
TABLE = {
    permissions.can_view_college_profile: {"student", "parent", "teacher", "administration", "administrator"},
    permissions.can_manage_college: {"administrator"},
    permissions.can_view_departments: {"teacher", "administration", "administrator"},
    permissions.can_view_staff: {"administration", "administrator"},
    permissions.can_add_staff: {"administrator"},
    permissions.can_appoint_administrator: {"administration"},
    permissions.can_view_college_dashboard: {"administration", "administrator"},
}
ROWS = [(action, role, role in allowed) for action, allowed in TABLE.items() for role in ROLES]


def _user(role, college):
    if role == "platform_staff":
        return factories.UserFactory(is_staff=True)
    user = factories.UserFactory()
    if role != "none":
        factories.MembershipFactory(user=user, college=college, role=Role(role))
    return user


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "role", "allowed"), ROWS, ids=[f"{a.__name__}-{r}" for a, r, _ in ROWS])
def test_college_permission_table(action, role, allowed, college):
    user = _user(role, college)

    assert action(user, college) is allowed


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(TABLE), ids=[a.__name__ for a in TABLE])
def test_a_role_in_another_college_grants_nothing_here(action, college, other_college):
    user = factories.UserFactory()
    for role in Role:
        factories.MembershipFactory(user=user, college=other_college, role=role)

    assert action(user, college) is False


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_only_platform_staff_review_applications(role, college):
    user = _user(role, college)

    assert permissions.can_review_applications(user) is (role == "platform_staff")


@pytest.mark.django_db
def test_a_member_who_left_has_no_role(college):
    membership = factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR, status="left")

    assert permissions.can_manage_college(membership.user, college) is False
