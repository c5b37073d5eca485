"""The roster sync is set-based: a college's sync costs the same statements whatever the number of its groups,
chats and people (issue #13)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chats.models import Chat, ChatKind, ChatMember
from chats.roster_queue import COLLEGE, roster_sync
from chats.services import chat_sync_roster
from colleges.models import Role
from groups.models import Enrollment, GroupParent
from tests import factories
from tests.chats.conftest import member, student_in

pytestmark = pytest.mark.django_db


def build(groups: int, students: int):
    """A college of ``groups`` groups of ``students`` students, each group with a curator, a subject teacher
    and a parent; the roster queue's entries of all of them (what a roster import leaves for the chats)."""
    college = factories.CollegeFactory()
    member(college, Role.ADMINISTRATOR)
    department = factories.DepartmentFactory(college=college)
    discipline = factories.DisciplineFactory(college=college, name="Математика")
    entries = []
    for n in range(groups):
        group = factories.StudyGroupFactory(college=college, department=department, name=f"ИС-{n + 1}")
        factories.CuratorAssignmentFactory(group=group, teacher=member(college, Role.TEACHER))
        factories.SubjectTeacherAssignmentFactory(
            group=group, teacher=member(college, Role.TEACHER), discipline=discipline
        )
        parent = member(college, Role.PARENT)
        GroupParent.objects.create(college=college, parent=parent, group=group)
        entries.append(f"{group.pk}:{parent.pk}")
        for _ in range(students):
            student = student_in(group)
            entries += [f"{group.pk}:{student.pk}", f"{COLLEGE}:{student.pk}"]
    return college, entries


def statements(captured: CaptureQueriesContext) -> int:
    """How many statements ran; on SQLite the batches of one bulk INSERT count once (Django splits a bulk
    INSERT there by 999 parameters, about 90 chat members a statement)."""
    heads = [" ".join(query["sql"].split()[:3]) for query in captured.captured_queries]
    if connection.vendor == "sqlite":
        heads = [head for n, head in enumerate(heads) if not (n and head.startswith("INSERT") and heads[n - 1] == head)]
    return len(heads)


def sync_entries(college, entries) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert roster_sync(college.pk, entries) == len(set(entries))
    return statements(captured)


def test_a_college_roster_sync_costs_the_same_statements_whatever_its_size():
    small_college, small_entries = build(2, 5)
    large_college, large_entries = build(6, 30)

    small, large = sync_entries(small_college, small_entries), sync_entries(large_college, large_entries)

    assert small == large
    chats = Chat.objects.filter(college=large_college)
    assert chats.filter(kind__in=[ChatKind.STUDY_GROUP, ChatKind.SUBJECT, ChatKind.PARENTS]).count() == 18
    college_chat = chats.get(kind=ChatKind.COLLEGE)
    assert ChatMember.objects.filter(chat=college_chat, left_at__isnull=True).count() == 6 * 30 + 1  # and the admin
    group_chat = chats.filter(kind=ChatKind.STUDY_GROUP).first()
    assert ChatMember.objects.filter(chat=group_chat, left_at__isnull=True).count() == 30 + 1  # and the curator


def test_a_whole_college_sync_with_leavers_costs_the_same_statements_whatever_its_size():
    measured = []
    for groups, students in ((2, 5), (6, 30)):
        college, entries = build(groups, students)
        roster_sync(college.pk, entries)
        leavers = list(Enrollment.objects.filter(group__college=college).order_by("pk"))[::5]
        Enrollment.objects.filter(pk__in=[e.pk for e in leavers]).update(ended_at=datetime.date(2026, 1, 1))
        newcomers = [student_in(group) for group in college.study_groups.all()]
        scopes = {group.pk: None for group in college.study_groups.all()} | {None: None}

        with CaptureQueriesContext(connection) as captured:
            chat_sync_roster(college=college, scopes=scopes)

        measured.append(statements(captured))
        gone = ChatMember.objects.filter(member__in=[e.student_id for e in leavers], left_at__isnull=False)
        assert gone.count() == 2 * len(leavers)  # the group's chat and its subject chat
        assert ChatMember.objects.filter(member__in=newcomers, left_at__isnull=True).count() == 3 * len(newcomers)

    assert measured[0] == measured[1]
