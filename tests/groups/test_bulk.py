"""``enrollments_start_many`` and ``enrollments_end_many``: students put into groups in bulk (PostgreSQL and SQLite)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from colleges.models import Role
from groups.models import Enrollment
from groups.services import ALREADY_ENROLLED_MESSAGE, EnrollmentStart, enrollments_end_many, enrollments_start_many
from groups.signals import EnrollmentChange, enrollment_changed
from tests import factories

pytestmark = pytest.mark.django_db
SEPT = datetime.date(2026, 9, 1)


@pytest.fixture
def group(college):
    return factories.StudyGroupFactory(college=college)


def _students(college, n):
    return factories.MembershipFactory.create_batch(n, college=college, role=Role.STUDENT)


def test_students_are_enrolled_and_audited_in_one_event(administrator, college, group):
    students = _students(college, 3)

    ids = enrollments_start_many(
        actor=administrator,
        college=college,
        starts=[EnrollmentStart(student_id=s.pk, group_id=group.pk) for s in students],
        started_at=SEPT,
    )

    assert set(Enrollment.objects.filter(pk__in=ids).values_list("student_id", "group_id", "started_at")) == {
        (s.pk, group.pk, SEPT) for s in students
    }
    event = AuditEvent.objects.get(action="enrollment.start_many")
    assert (event.actor, event.college) == (administrator, college)
    assert event.after == {"started_at": "2026-09-01", "count": 3, "ids": ids}


def test_a_student_already_in_a_group_fails_the_whole_call(administrator, college, group):
    free, enrolled = _students(college, 2)
    factories.EnrollmentFactory(student=enrolled, group=factories.StudyGroupFactory(college=college))

    with pytest.raises(ValidationError) as exc:
        enrollments_start_many(
            actor=administrator,
            college=college,
            starts=[EnrollmentStart(student_id=m.pk, group_id=group.pk) for m in (free, enrolled)],
            started_at=SEPT,
        )

    assert exc.value.messages == [ALREADY_ENROLLED_MESSAGE]
    assert not Enrollment.objects.filter(group=group).exists()
    assert not AuditEvent.objects.filter(action="enrollment.start_many").exists()


@pytest.mark.parametrize("foreign", ["student", "group", "teacher"])
def test_a_student_or_group_of_another_college_is_refused(administrator, college, other_college, group, foreign):
    student = _students(college, 1)[0]
    if foreign == "student":
        student = _students(other_college, 1)[0]
    if foreign == "teacher":
        student = factories.MembershipFactory(college=college, role=Role.TEACHER)
    if foreign == "group":
        group = factories.StudyGroupFactory(college=other_college)

    with pytest.raises(ValidationError):
        enrollments_start_many(
            actor=administrator,
            college=college,
            starts=[EnrollmentStart(student_id=student.pk, group_id=group.pk)],
            started_at=SEPT,
        )

    assert not Enrollment.objects.exists()


def test_ending_never_goes_before_the_start_and_skips_closed_ones(administrator, college, group):
    early, late, closed = _students(college, 3)
    e_early = factories.EnrollmentFactory(student=early, group=group, started_at=datetime.date(2025, 9, 1))
    e_late = factories.EnrollmentFactory(student=late, group=group, started_at=datetime.date(2026, 10, 1))
    e_closed = factories.EnrollmentFactory(
        student=closed, group=group, started_at=datetime.date(2025, 9, 1), ended_at=datetime.date(2026, 1, 1)
    )

    ended = enrollments_end_many(
        actor=administrator,
        college=college,
        enrollment_ids=[e_early.pk, e_late.pk, e_closed.pk],
        ended_at=SEPT,
        kind=EnrollmentChange.EXPEL,
    )

    assert ended == sorted([e_early.pk, e_late.pk])
    ends = dict(Enrollment.objects.values_list("pk", "ended_at"))
    assert ends == {e_early.pk: SEPT, e_late.pk: datetime.date(2026, 10, 1), e_closed.pk: datetime.date(2026, 1, 1)}
    assert AuditEvent.objects.get(action="enrollment.end_many").after["ids"] == ended


def test_each_student_is_announced_once_on_commit_and_a_failing_receiver_stops_no_other(
    administrator, college, group, django_capture_on_commit_callbacks
):
    students = _students(college, 3)
    heard = []

    def receiver(sender, *, student_id, kind, old_group_id, new_group_id, **kwargs):
        heard.append((student_id, kind, old_group_id, new_group_id))
        if student_id == students[0].pk:
            raise RuntimeError("a receiver that fails")

    enrollment_changed.connect(receiver, dispatch_uid="test.bulk.receiver")
    try:
        with django_capture_on_commit_callbacks() as callbacks:
            enrollments_start_many(
                actor=administrator,
                college=college,
                starts=[EnrollmentStart(student_id=s.pk, group_id=group.pk) for s in students],
                started_at=SEPT,
            )
        # Counted before running: the receivers of higher apps (chats) register callbacks of their own.
        assert len(callbacks) == 1
        callbacks[0]()
    finally:
        enrollment_changed.disconnect(dispatch_uid="test.bulk.receiver")

    assert heard == [(s.pk, EnrollmentChange.ENROL, None, group.pk) for s in students]
