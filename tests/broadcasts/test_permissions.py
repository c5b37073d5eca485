"""Who sees which session and who may change it: role × session kind."""

import pytest

from broadcasts.models import Audience, Kind
from broadcasts.permissions import can_edit_session, can_plan_sessions
from broadcasts.selectors import session_list
from tests.broadcasts.conftest import plan_lesson

ROLES = ("student", "other_student", "parent", "teacher", "idle_teacher", "curator", "administration",
         "administrator", "other_administrator")  # fmt: skip


def _sessions(bw) -> dict:
    admin = bw.users["administration"]
    return {
        "lesson": plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group]),
        "parent_meeting": plan_lesson(
            actor=bw.users["curator"], college=bw.college, groups=[bw.group], kind=Kind.PARENT_MEETING
        ),
        "staff_meeting": plan_lesson(
            actor=admin, college=bw.college, groups=[], kind=Kind.STAFF_MEETING, audience=Audience.STAFF
        ),
        "broadcast": plan_lesson(
            actor=admin, college=bw.college, groups=[], kind=Kind.BROADCAST, audience=Audience.COLLEGE
        ),
        "other_lesson": plan_lesson(actor=admin, college=bw.college, groups=[bw.other_group]),
    }


SEES = {
    "student": {"lesson", "broadcast"},
    "other_student": {"other_lesson", "broadcast"},
    "parent": {"parent_meeting", "broadcast"},
    "teacher": {"lesson", "parent_meeting", "staff_meeting", "broadcast"},
    "idle_teacher": {"staff_meeting", "broadcast"},
    "curator": {"lesson", "parent_meeting", "staff_meeting", "broadcast"},
    "administration": {"lesson", "parent_meeting", "staff_meeting", "broadcast", "other_lesson"},
    "administrator": {"lesson", "parent_meeting", "staff_meeting", "broadcast", "other_lesson"},
    "other_administrator": set(),
}
EDITS = {
    "teacher": {"lesson"},
    "curator": {"parent_meeting"},
    "administration": {"lesson", "parent_meeting", "staff_meeting", "broadcast", "other_lesson"},
    "administrator": {"lesson", "parent_meeting", "staff_meeting", "broadcast", "other_lesson"},
}
PLANS = {"teacher", "curator", "administration", "administrator"}


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_which_session(bw, role):
    sessions = _sessions(bw)
    names = {session.pk: name for name, session in sessions.items()}

    seen = {names[s.pk] for s in session_list(viewer=bw.users[role], college=bw.college)}

    assert seen == SEES[role]


@pytest.mark.parametrize("role", ROLES)
def test_who_edits_which_session(bw, role):
    sessions = _sessions(bw)

    edits = {name for name, session in sessions.items() if can_edit_session(bw.users[role], session)}

    assert edits == EDITS.get(role, set())


@pytest.mark.parametrize("role", ROLES)
def test_who_plans(bw, role):
    assert can_plan_sessions(bw.users[role], bw.college) == (role in PLANS)


def test_a_host_who_left_the_staff_no_longer_edits(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])
    membership = bw.memberships["teacher"]
    membership.status = membership.Status.LEFT
    membership.save(update_fields=["status"])
    user = type(bw.users["teacher"]).objects.get(pk=bw.users["teacher"].pk)

    assert not can_edit_session(user, session)
