import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from broadcasts import services
from broadcasts.models import Audience, Kind
from colleges.models import Role
from groups.services import group_parent_add
from tests import factories
from tests.conftest import add_totp

ROOM_BASE = "https://video.example.org/rooms/"


@pytest.fixture(autouse=True)
def _video_rooms(settings):
    settings.VIDEO_ROOM_URL = ROOM_BASE


@dataclass
class BroadcastsWorld:
    college: Any
    other_college: Any
    group: Any
    other_group: Any
    foreign_group: Any
    users: dict[str, Any]
    memberships: dict[str, Any]


@pytest.fixture
def bw(db) -> BroadcastsWorld:
    """A college with two groups: a subject teacher, a curator, a student and a parent of ИС-1, a student of ТМ-2,
    a teacher without groups, the administration; and another college with its administrator."""
    college = factories.CollegeFactory()
    other_college = factories.CollegeFactory()
    group = factories.StudyGroupFactory(college=college, name="ИС-1")
    other_group = factories.StudyGroupFactory(college=college, name="ТМ-2")
    foreign_group = factories.StudyGroupFactory(college=other_college, name="ИС-1")
    m = {
        "student": factories.MembershipFactory(college=college, role=Role.STUDENT),
        "other_student": factories.MembershipFactory(college=college, role=Role.STUDENT),
        "parent": factories.MembershipFactory(college=college, role=Role.PARENT),
        "teacher": factories.MembershipFactory(college=college, role=Role.TEACHER),
        "idle_teacher": factories.MembershipFactory(college=college, role=Role.TEACHER),
        "curator": factories.MembershipFactory(college=college, role=Role.TEACHER),
        "administration": factories.MembershipFactory(college=college, role=Role.ADMINISTRATION),
        "administrator": factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR),
        "other_administrator": factories.MembershipFactory(college=other_college, role=Role.ADMINISTRATOR),
    }
    factories.EnrollmentFactory(student=m["student"], group=group)
    factories.EnrollmentFactory(student=m["other_student"], group=other_group)
    group_parent_add(actor=None, parent=m["parent"], group=group)
    factories.SubjectTeacherAssignmentFactory(group=group, teacher=m["teacher"])
    factories.CuratorAssignmentFactory(group=group, teacher=m["curator"], started_at=datetime.date(2026, 9, 1))
    for role in ("administration", "administrator", "other_administrator"):
        add_totp(m[role].user)
    users = {role: membership.user for role, membership in m.items()}
    users["platform_staff"] = factories.UserFactory(is_staff=True)
    return BroadcastsWorld(
        college=college,
        other_college=other_college,
        group=group,
        other_group=other_group,
        foreign_group=foreign_group,
        users=users,
        memberships=m,
    )


def in_minutes(minutes: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


def plan_lesson(*, actor, college, groups, starts_in: int = 60, kind=Kind.LESSON, title="Базы данных", **extra):
    return services.session_create(
        actor=actor,
        college=college,
        kind=kind,
        title=title,
        starts_at=in_minutes(starts_in),
        duration_minutes=extra.pop("duration_minutes", 45),
        audience=extra.pop("audience", Audience.GROUPS),
        groups=groups,
        **extra,
    )
