"""The figures of each section on the built dataset (tests/analytics/conftest.py), counted by hand."""

import pytest

from analytics import figures
from colleges.models import Role

pytestmark = pytest.mark.django_db


def _by(rows, key):
    return {row[key]: row for row in rows}


def test_joining_per_role_counts_active_members_and_their_sign_ins(aw):
    found = figures.joining(college=aw.college, period=aw.october)

    roles = {row["role"]: (row["total"], row["ever"], row["in_period"]) for row in found["roles"]}
    assert roles == {
        Role.ADMINISTRATION: (1, 0, 0),
        Role.ADMINISTRATOR: (1, 1, 1),
        Role.TEACHER: (2, 1, 0),
        Role.STUDENT: (5, 4, 2),
        Role.PARENT: (1, 1, 1),
    }


def test_joining_per_group_puts_the_worst_share_first_and_empty_groups_last(aw):
    found = figures.joining(college=aw.college, period=aw.october)

    groups = [(row["name"], row["total"], row["ever"], row["in_period"], row["share_ever"]) for row in found["groups"]]
    assert groups == [("ИС-1", 3, 2, 1, 66.7), ("ИС-2", 2, 2, 1, 100.0), ("ИС-3", 0, 0, 0, None)]


def test_joining_of_a_curator_holds_only_their_groups_and_no_roles(aw):
    found = figures.joining(college=aw.college, period=aw.october, group_ids={aw.groups["G1"].pk})

    assert [row["name"] for row in found["groups"]] == ["ИС-1"]
    assert found["roles"] == []


def test_invitation_links_per_role_and_kind(aw):
    found = figures.invitation_figures(college=aw.college, period=aw.october)

    rows = [
        (r["role"], r["kind"], r["links"], r["uses"], r["places"], r["unlimited"], r["share_used"])
        for r in found["by_role"]
    ]
    assert rows == [
        ("student", "multi", 2, 17, 30, 1, None),
        ("student", "personal", 5, 1, 5, 0, 20.0),
        ("teacher", "multi", 1, 3, 5, 0, 60.0),
    ]
    assert found["totals"] == {"links": 8, "uses": 21, "requests": 4}


def test_invitation_links_per_group(aw):
    found = figures.invitation_figures(college=aw.college, period=aw.october)

    assert [(r["group"], r["links"], r["uses"], r["places"]) for r in found["by_group"]] == [
        ("ИС-1", 2, 17, 30),
        ("ИС-2", 5, 1, 5),
    ]


def test_personal_links_delivery_by_channel(aw):
    found = figures.invitation_figures(college=aw.college, period=aw.october)

    delivery = {
        r["channel"]: (r["queued"], r["sent"], r["failed"], r["joined"], r["share_joined"]) for r in found["delivery"]
    }
    assert delivery == {"sms": (4, 2, 2, 1, 50.0), "email": (1, 1, 0, 0, 0.0)}


def test_join_requests_filed_in_the_period_by_status(aw):
    found = figures.invitation_figures(college=aw.college, period=aw.october)

    assert {r["status"]: r["count"] for r in found["requests"]} == {
        "pending": 2,
        "approved": 1,
        "rejected": 1,
        "closed": 0,
    }


def test_chat_activity_counts_written_messages_not_service_lines(aw):
    found = figures.chat_figures(college=aw.college, period=aw.october)

    assert (found["messages"], found["authors"]) == (5, 3)
    assert [(r["kind"], r["messages"], r["authors"]) for r in found["by_kind"]] == [
        ("staff", 2, 2),
        ("study_group", 3, 2),
    ]
    assert [(r["title"], r["messages"]) for r in found["top"]] == [("ИС-1", 3), ("Сотрудники", 2)]


def test_silent_group_chats_moderation_and_reports(aw):
    found = figures.chat_figures(college=aw.college, period=aw.october)

    assert [r["title"] for r in found["silent"]] == ["ИС-2"]
    assert found["silent_count"] == 1
    assert found["moderation"] == {"deleted": 1, "muted": 0, "banned": 0, "removed": 0}
    assert (found["reports_filed"], found["reports_open"]) == (1, 1)


def test_sessions_per_kind_and_status(aw):
    found = figures.session_figures(college=aw.college, period=aw.october)

    kinds = {r["kind"]: (r["planned"], r["held"], r["cancelled"]) for r in found["by_kind"]}
    assert kinds == {"lesson": (0, 1, 1), "parent_meeting": (1, 0, 0), "staff_meeting": (0, 1, 0)}
    assert found["totals"] == {"planned": 1, "held": 2, "cancelled": 1}


def test_attendance_is_people_who_entered_over_the_audience_without_the_host(aw):
    found = figures.session_figures(college=aw.college, period=aw.october)
    rows = {
        row["title"] + row["kind"]: row
        for row in map(figures.session_row, figures.session_rows(college=aw.college, period=aw.october))
    }

    assert found["attendance"] == {"sessions": 3, "attended": 4, "audience": 7, "share": 57.1}
    assert {key: (r["attended"], r["audience"], r["share"]) for key, r in rows.items()} == {
        "Занятиеlesson": (2, 3, 66.7),
        "Занятиеparent_meeting": (0, 1, 0.0),
        "Занятиеstaff_meeting": (2, 3, 66.7),
    }


def test_teachers_messages_materials_and_sessions_held(aw):
    teachers = figures.teacher_list(college=aw.college)

    rows = figures.teacher_rows(college=aw.college, period=aw.october, teachers=teachers)

    assert [(r["name"].split()[0], r["messages"], r["materials"], r["sessions"]) for r in rows] == [
        ("Куратова", 2, 2, 1),
        ("Преподаватов", 1, 0, 0),
    ]


def test_teacher_search_by_name(aw):
    assert [m.user.last_name for m in figures.teacher_list(college=aw.college, search="преподават")] == ["Преподаватов"]


def test_headline_figures(aw):
    found = figures.headline(college=aw.college, period=aw.october)

    assert found == {
        "signed_in": 4,
        "students": 5,
        "students_joined": 4,
        "students_share": 80.0,
        "messages": 5,
        "sessions_held": 2,
        "attendance_share": 57.1,
    }
