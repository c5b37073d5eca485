"""A built dataset for the analytics figures, with every expectation computed by hand in the tests.

The period under test is October 2026 in the college's zone (Europe/Moscow): [30.09 21:00 UTC, 31.10 21:00 UTC).
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

import pytest

from analytics.periods import period_from
from broadcasts.models import Attendance, Audience, Kind, Session
from chats.models import ChatKind, Message, MessageReport
from colleges.models import Membership, Role
from groups.models import GroupParent
from invitations.models import Invitation, JoinRequest
from materials.models import Material
from tests import factories
from tests.conftest import add_totp

MSK = zoneinfo.ZoneInfo("Europe/Moscow")
OCTOBER = {"from": "01.10.2026", "to": "31.10.2026"}


def msk(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=MSK)


@dataclass
class AnalyticsWorld:
    college: Any
    other_college: Any
    groups: dict[str, Any]
    members: dict[str, Any]
    users: dict[str, Any]
    chats: dict[str, Any] = field(default_factory=dict)
    sessions: dict[str, Any] = field(default_factory=dict)

    @property
    def october(self):
        return period_from(OCTOBER, college=self.college)


def _member(college, role, *, login=None, status=Membership.Status.ACTIVE, last_name="Иванов", **user):
    user = factories.UserFactory(last_name=last_name, **user)
    if login is not None:
        type(user).objects.filter(pk=user.pk).update(last_login=login)
        user.last_login = login
    return factories.MembershipFactory(college=college, user=user, role=role, status=status)


def _people(college, groups) -> dict[str, Any]:
    m = {
        "director": _member(college, Role.ADMINISTRATION, last_name="Директорова"),
        "administrator": _member(college, Role.ADMINISTRATOR, login=msk(10, 5), last_name="Админов"),
        "t1": _member(college, Role.TEACHER, login=msk(9, 15), last_name="Куратова"),
        "t2": _member(college, Role.TEACHER, last_name="Преподаватов"),
        "s1": _member(college, Role.STUDENT, login=msk(10, 10)),
        "s2": _member(college, Role.STUDENT, login=msk(9, 20)),
        "s3": _member(college, Role.STUDENT),
        # The period's last minute counts, its end does not.
        "s4": _member(college, Role.STUDENT, login=msk(10, 31, 23, 59)),
        "s5": _member(college, Role.STUDENT, login=msk(11, 1, 0, 0)),
        "left": _member(college, Role.STUDENT, login=msk(10, 12), status=Membership.Status.LEFT),
        # The period's first moment counts.
        "parent": _member(college, Role.PARENT, login=msk(10, 1, 0, 0)),
    }
    for key in ("s1", "s2", "s3"):
        factories.EnrollmentFactory(student=m[key], group=groups["G1"])
    for key in ("s4", "s5"):
        factories.EnrollmentFactory(student=m[key], group=groups["G2"])
    factories.EnrollmentFactory(student=m["left"], group=groups["G1"], ended_at=datetime.date(2026, 10, 1))
    factories.CuratorAssignmentFactory(group=groups["G1"], teacher=m["t1"], started_at=datetime.date(2026, 9, 1))
    GroupParent.objects.create(college=college, parent=m["parent"], group=groups["G1"])
    return m


def _invitations(college, groups, m) -> None:
    admin = m["administrator"].user

    def link(*, role, created, group=None, max_uses=None, uses=0, **extra):
        invitation = Invitation.objects.create(
            college=college,
            role=role,
            group=group,
            max_uses=max_uses,
            uses_count=uses,
            created_by=admin,
            token_hash=f"h-{college.pk}-{Invitation.objects.count()}",
            token_sealed="x",
            expires_at=msk(12, 31),
            **extra,
        )
        Invitation.objects.filter(pk=invitation.pk).update(created_at=created)
        return invitation

    # October: two student links of G1 (30 places, 12 used; no cap, 5 used), a teacher link (3 of 5).
    link(role=Role.STUDENT, group=groups["G1"], max_uses=30, uses=12, created=msk(10, 2))
    link(role=Role.STUDENT, group=groups["G1"], uses=5, created=msk(10, 3))
    link(role=Role.TEACHER, max_uses=5, uses=3, created=msk(10, 4))
    # Personal links by SMS: sent, accepted (joined), failed, unknown; one by e-mail, sent.
    personal = {"kind": Invitation.Kind.PERSONAL, "max_uses": 1, "role": Role.STUDENT, "group": groups["G2"]}
    d = Invitation.Delivery
    link(**personal, created=msk(10, 6), recipient_phone="+79990000001", delivery_status=d.SENT)
    link(**personal, created=msk(10, 6), recipient_phone="+79990000002", delivery_status=d.ACCEPTED, uses=1)
    link(**personal, created=msk(10, 6), recipient_phone="+79990000003", delivery_status=d.FAILED)
    link(**personal, created=msk(10, 6), recipient_phone="+79990000004", delivery_status=d.UNKNOWN)
    link(**personal, created=msk(10, 6), recipient_email="a@example.org", delivery_status=d.SENT)
    # September: not in the period.
    link(role=Role.STUDENT, group=groups["G2"], max_uses=10, uses=10, created=msk(9, 30, 23, 59))
    for status, created in (
        (JoinRequest.Status.PENDING, msk(10, 7)),
        (JoinRequest.Status.PENDING, msk(10, 8)),
        (JoinRequest.Status.APPROVED, msk(10, 9)),
        (JoinRequest.Status.REJECTED, msk(10, 9)),
        (JoinRequest.Status.PENDING, msk(11, 1, 0, 0)),
    ):
        request = JoinRequest.objects.create(
            college=college, user=factories.UserFactory(), role=Role.STUDENT, group=groups["G1"], status=status
        )
        JoinRequest.objects.filter(pk=request.pk).update(created_at=created)


def _message(chat, author, at, **extra):
    message = factories.MessageFactory(chat=chat, author=author, **extra)
    Message.objects.filter(pk=message.pk).update(created_at=at)
    return message


def _chats(college, groups, m) -> dict[str, Any]:
    chats = {
        "g1": factories.ChatFactory(college=college, kind=ChatKind.STUDY_GROUP, title="ИС-1", study_group=groups["G1"]),
        "g2": factories.ChatFactory(college=college, kind=ChatKind.STUDY_GROUP, title="ИС-2", study_group=groups["G2"]),
        "staff": factories.ChatFactory(college=college, kind=ChatKind.STAFF, title="Сотрудники"),
    }
    # ИС-1: 3 messages by 2 authors in October, a service line, one in September.
    _message(chats["g1"], m["s1"], msk(10, 1, 0, 0))
    _message(chats["g1"], m["s1"], msk(10, 15))
    moderated = _message(chats["g1"], m["t1"], msk(10, 20))
    Message.objects.filter(pk=moderated.pk).update(deleted_at=msk(10, 21), delete_reason="Оскорбление")
    _message(chats["g1"], None, msk(10, 16), kind=Message.Kind.SYSTEM, text="Иванов вступил в чат")
    _message(chats["g1"], m["s2"], msk(9, 30, 23, 59))
    # ИС-2: silent in October (one message in November).
    _message(chats["g2"], m["s4"], msk(11, 1, 0, 0))
    # Staff: 2 messages by the teachers.
    _message(chats["staff"], m["t1"], msk(10, 3))
    _message(chats["staff"], m["t2"], msk(10, 31, 23, 59))
    report = MessageReport.objects.create(college=college, message=moderated, reporter=m["s1"], reason="Грубо")
    MessageReport.objects.filter(pk=report.pk).update(created_at=msk(10, 20, 13))
    return chats


def _session(college, *, host, kind, audience, starts, status=Session.Status.HELD, groups=(), **extra):
    session = Session.objects.create(
        college=college,
        kind=kind,
        title=extra.pop("title", "Занятие"),
        starts_at=starts,
        duration_minutes=45,
        ends_at=starts + datetime.timedelta(minutes=45),
        host=host,
        audience=audience,
        status=status,
        cancel_reason="Болезнь" if status == Session.Status.CANCELLED else "",
        **extra,
    )
    session.groups.set(groups)
    return session


def _sessions(college, groups, m) -> dict[str, Any]:
    g1, g2 = groups["G1"], groups["G2"]
    sessions = {
        # Lesson for ИС-1 (3 students): 2 entered, and the host.
        "lesson": _session(
            college, host=m["t1"], kind=Kind.LESSON, audience=Audience.GROUPS, starts=msk(10, 10), groups=[g1]
        ),
        # Parent meeting of ИС-1 and ИС-2: 1 parent; nobody entered.
        "meeting": _session(
            college,
            host=m["t1"],
            kind=Kind.PARENT_MEETING,
            audience=Audience.GROUPS,
            starts=msk(10, 12),
            groups=[g1, g2],
            status=Session.Status.PLANNED,
        ),
        # Staff meeting: 3 staff besides its host (the director and 2 teachers); the director and t2 entered.
        "staff": _session(
            college, host=m["administrator"], kind=Kind.STAFF_MEETING, audience=Audience.STAFF, starts=msk(10, 14)
        ),
        "cancelled": _session(
            college,
            host=m["t2"],
            kind=Kind.LESSON,
            audience=Audience.GROUPS,
            starts=msk(10, 16),
            groups=[g2],
            status=Session.Status.CANCELLED,
        ),
        "september": _session(
            college, host=m["t1"], kind=Kind.LESSON, audience=Audience.GROUPS, starts=msk(9, 30, 23), groups=[g1]
        ),
    }
    for session, members in (
        (sessions["lesson"], ["s1", "s2", "t1"]),
        (sessions["staff"], ["director", "t2", "administrator"]),
        (sessions["september"], ["s1"]),
    ):
        for key in members:
            Attendance.objects.create(session=session, user=m[key].user, joined_at=session.starts_at)
    return sessions


def _materials(college, m) -> None:
    for author, published in ((m["t1"], msk(10, 2)), (m["t1"], msk(10, 30)), (m["t2"], msk(9, 29)), (m["t2"], None)):
        Material.objects.create(
            college=college,
            kind="article",
            title="Материал",
            body="Текст",
            audience="college",
            status=Material.Status.PUBLISHED if published else Material.Status.DRAFT,
            published_at=published,
            author=author.user,
        )


def _other_college(other) -> None:
    """Another college, busy in October: none of it may be counted."""
    group = factories.StudyGroupFactory(college=other, name="ЧУЖ-1")
    admin = _member(other, Role.ADMINISTRATOR, login=msk(10, 5))
    add_totp(admin.user)
    for _ in range(3):
        student = _member(other, Role.STUDENT, login=msk(10, 10))
        factories.EnrollmentFactory(student=student, group=group)
    chat = factories.ChatFactory(college=other, kind=ChatKind.STUDY_GROUP, title="ЧУЖ-1", study_group=group)
    for _ in range(4):
        _message(chat, admin, msk(10, 10))
    _session(other, host=admin, kind=Kind.BROADCAST, audience=Audience.COLLEGE, starts=msk(10, 10))
    Invitation.objects.create(
        college=other, role=Role.STUDENT, created_by=admin.user, token_hash=f"other-{other.pk}", token_sealed="x",
        expires_at=msk(12, 31), uses_count=7,
    )  # fmt: skip


@pytest.fixture
def aw(db) -> AnalyticsWorld:
    college = factories.CollegeFactory(time_zone="Europe/Moscow")
    other = factories.CollegeFactory(time_zone="Europe/Moscow")
    groups = {
        "G1": factories.StudyGroupFactory(college=college, name="ИС-1"),
        "G2": factories.StudyGroupFactory(college=college, name="ИС-2"),
        "G3": factories.StudyGroupFactory(college=college, name="ИС-3"),
    }
    m = _people(college, groups)
    _invitations(college, groups, m)
    chats = _chats(college, groups, m)
    sessions = _sessions(college, groups, m)
    _materials(college, m)
    _other_college(other)
    for key in ("director", "administrator"):
        add_totp(m[key].user)
    users = {key: membership.user for key, membership in m.items()}
    return AnalyticsWorld(
        college=college, other_college=other, groups=groups, members=m, users=users, chats=chats, sessions=sessions
    )
