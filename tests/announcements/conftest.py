import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from announcements import services
from announcements.models import Audience
from colleges.models import Role
from groups.services import group_parent_add
from tests import factories
from tests.conftest import add_totp


@dataclass
class AnnouncementsWorld:
    college: Any
    other_college: Any
    group: Any
    other_group: Any
    users: dict[str, Any]
    memberships: dict[str, Any]


@pytest.fixture
def aw(db) -> AnnouncementsWorld:
    """A college with two groups: a student, a parent and a curator of ИС-21, a student and a parent of ТМ-32,
    a teacher without groups, the administration (the director), the administrator; and another college with
    its own student and administrator."""
    college = factories.CollegeFactory()
    other_college = factories.CollegeFactory()
    group = factories.StudyGroupFactory(college=college, name="ИС-21")
    other_group = factories.StudyGroupFactory(college=college, name="ТМ-32")
    foreign_group = factories.StudyGroupFactory(college=other_college, name="ИС-21")
    m = {
        "student": factories.MembershipFactory(college=college, role=Role.STUDENT),
        "other_student": factories.MembershipFactory(college=college, role=Role.STUDENT),
        "parent": factories.MembershipFactory(college=college, role=Role.PARENT),
        "other_parent": factories.MembershipFactory(college=college, role=Role.PARENT),
        "teacher": factories.MembershipFactory(college=college, role=Role.TEACHER),
        "curator": factories.MembershipFactory(college=college, role=Role.TEACHER),
        "administration": factories.MembershipFactory(college=college, role=Role.ADMINISTRATION),
        "administrator": factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR),
        "foreign_student": factories.MembershipFactory(college=other_college, role=Role.STUDENT),
        "other_administrator": factories.MembershipFactory(college=other_college, role=Role.ADMINISTRATOR),
    }
    factories.EnrollmentFactory(student=m["student"], group=group)
    factories.EnrollmentFactory(student=m["other_student"], group=other_group)
    factories.EnrollmentFactory(student=m["foreign_student"], group=foreign_group)
    group_parent_add(actor=None, parent=m["parent"], group=group)
    group_parent_add(actor=None, parent=m["other_parent"], group=other_group)
    factories.CuratorAssignmentFactory(group=group, teacher=m["curator"], started_at=datetime.date(2026, 9, 1))
    for role in ("administration", "administrator", "other_administrator"):
        add_totp(m[role].user)
    users = {role: membership.user for role, membership in m.items()}
    return AnnouncementsWorld(
        college=college, other_college=other_college, group=group, other_group=other_group, users=users, memberships=m
    )


def publish(aw, *, actor="administration", audience=Audience.COLLEGE, groups=(), title="Объявление", **extra):
    return services.announcement_publish(
        actor=aw.users[actor],
        college=aw.college,
        title=title,
        text=extra.pop("text", "Текст объявления."),
        audience=audience,
        groups=list(groups),
        **extra,
    )
