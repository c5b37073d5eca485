import datetime

import pytest

from colleges.models import Role
from tests import factories

TODAY = datetime.date.today()


@pytest.fixture
def admin_membership(college):
    from tests.conftest import add_totp

    membership = factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR)
    add_totp(membership.user)
    return membership


@pytest.fixture
def admin(admin_membership):
    return admin_membership.user


@pytest.fixture
def groups(college):
    department = factories.DepartmentFactory(college=college)
    return [factories.StudyGroupFactory(college=college, department=department, name=f"ИС-2{i}") for i in range(3)]


@pytest.fixture
def make_student(college):
    def make(group=None, started_at=datetime.date(2025, 9, 1)):
        membership = factories.MembershipFactory(college=college, role=Role.STUDENT)
        if group is not None:
            factories.EnrollmentFactory(student=membership, group=group, started_at=started_at)
        return membership

    return make
