"""``enrollment_changed`` belongs to groups: its services send it, once per student, on commit; no other app does."""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.db import transaction

from colleges.models import Role
from groups import services
from groups.models import Enrollment
from groups.signals import EnrollmentChange, enrollment_changed
from tests import factories

pytestmark = pytest.mark.django_db
SEPT = datetime.date(2026, 9, 1)
LATER = datetime.date(2026, 10, 1)
ROOT = Path(__file__).resolve().parents[2]


class Rollback(Exception):
    pass


@pytest.fixture
def received():
    events = []

    def receiver(sender, **kwargs):
        kwargs.pop("signal")
        events.append(kwargs)

    enrollment_changed.connect(receiver, dispatch_uid="test-groups-signals")
    yield events
    enrollment_changed.disconnect(dispatch_uid="test-groups-signals")


@pytest.fixture
def groups(college):
    return factories.StudyGroupFactory.create_batch(2, college=college)


def _student(college, group=None):
    student = factories.MembershipFactory(college=college, role=Role.STUDENT)
    if group is not None:
        factories.EnrollmentFactory(student=student, group=group, started_at=SEPT)
    return student


def _current(student):
    return Enrollment.objects.get(student=student, ended_at__isnull=True)


def _start(kind):
    def run(actor, college, groups):
        student = _student(college)
        services.enrollment_start(actor=actor, student=student, group=groups[0], kind=kind, started_at=SEPT)
        return {"student_id": student.pk, "old_group_id": None, "new_group_id": groups[0].pk}

    return run


def _end(kind):
    def run(actor, college, groups):
        student = _student(college, groups[0])
        services.enrollment_end(actor=actor, enrollment=_current(student), kind=kind, ended_at=LATER)
        return {"student_id": student.pk, "old_group_id": groups[0].pk, "new_group_id": None}

    return run


def _transfer(actor, college, groups):
    student = _student(college, groups[0])
    services.enrollment_transfer(actor=actor, enrollment=_current(student), group=groups[1], transferred_at=LATER)
    return {"student_id": student.pk, "old_group_id": groups[0].pk, "new_group_id": groups[1].pk}


def _leave(kind, *, in_group=True):
    def run(actor, college, groups):
        student = _student(college, groups[0] if in_group else None)
        services.student_leaves_groups(actor=actor, student=student, kind=kind, ended_at=LATER)
        return {"student_id": student.pk, "old_group_id": groups[0].pk if in_group else None, "new_group_id": None}

    return run


def _start_many(kind):
    def run(actor, college, groups):
        student = _student(college)
        old = groups[1].pk if kind == EnrollmentChange.TRANSFER else None
        services.enrollments_start_many(
            actor=actor,
            college=college,
            starts=[
                services.EnrollmentStart(student_id=student.pk, group_id=groups[0].pk, kind=kind, old_group_id=old)
            ],
            started_at=SEPT,
        )
        return {"student_id": student.pk, "old_group_id": old, "new_group_id": groups[0].pk}

    return run


def _end_many(kind):
    def run(actor, college, groups):
        student = _student(college, groups[0])
        services.enrollments_end_many(
            actor=actor, college=college, enrollment_ids=[_current(student).pk], ended_at=LATER, kind=kind
        )
        return {"student_id": student.pk, "old_group_id": groups[0].pk, "new_group_id": None}

    return run


CASES = {
    "enrol": (EnrollmentChange.ENROL, _start(EnrollmentChange.ENROL)),
    "leave_return": (EnrollmentChange.LEAVE_RETURN, _start(EnrollmentChange.LEAVE_RETURN)),
    "reinstate": (EnrollmentChange.REINSTATE, _start(EnrollmentChange.REINSTATE)),
    "transfer": (EnrollmentChange.TRANSFER, _transfer),
    "academic_leave": (EnrollmentChange.ACADEMIC_LEAVE, _end(EnrollmentChange.ACADEMIC_LEAVE)),
    "expel": (EnrollmentChange.EXPEL, _leave(EnrollmentChange.EXPEL)),
    "expel_without_group": (EnrollmentChange.EXPEL, _leave(EnrollmentChange.EXPEL, in_group=False)),
    "graduate": (EnrollmentChange.GRADUATE, _leave(EnrollmentChange.GRADUATE)),
    "graduate_end": (EnrollmentChange.GRADUATE, _end(EnrollmentChange.GRADUATE)),
    "bulk_enrol": (EnrollmentChange.ENROL, _start_many(EnrollmentChange.ENROL)),
    "bulk_transfer": (EnrollmentChange.TRANSFER, _start_many(EnrollmentChange.TRANSFER)),
    "bulk_expel": (EnrollmentChange.EXPEL, _end_many(EnrollmentChange.EXPEL)),
}


def test_every_kind_has_a_case():
    assert {kind for kind, _ in CASES.values()} == set(EnrollmentChange)


@pytest.mark.parametrize("case", CASES)
def test_the_groups_service_sends_one_signal_on_commit(
    case, administrator, college, groups, received, django_capture_on_commit_callbacks
):
    kind, run = CASES[case]

    with django_capture_on_commit_callbacks(execute=True):
        expected = run(administrator, college, groups)
        assert received == []

    assert received == [{"college_id": college.pk, "kind": kind, **expected}]


@pytest.mark.parametrize("case", CASES)
def test_the_groups_service_sends_nothing_when_the_transaction_rolls_back(
    case, administrator, college, groups, received, django_capture_on_commit_callbacks
):
    _, run = CASES[case]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Rollback), transaction.atomic():
            run(administrator, college, groups)
            raise Rollback

    assert callbacks == []
    assert received == []


def test_the_first_half_of_a_bulk_transfer_is_announced_by_its_start(
    administrator, college, groups, received, django_capture_on_commit_callbacks
):
    student = _student(college, groups[0])

    with django_capture_on_commit_callbacks(execute=True):
        services.enrollments_end_many(
            actor=administrator,
            college=college,
            enrollment_ids=[_current(student).pk],
            ended_at=LATER,
            kind=EnrollmentChange.TRANSFER,
        )

    assert received == []


def test_an_unknown_kind_is_refused_before_anything_is_written(administrator, college, groups, received):
    student = _student(college)

    with pytest.raises(ValueError):
        services.enrollment_start(actor=administrator, student=student, group=groups[0], kind="expulsion")

    assert not Enrollment.objects.filter(student=student).exists()


def _app_sources():
    """The project's own Python modules (not the tests, not installed packages)."""
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in {"tests", "node_modules", "__pycache__"}]
        for file in files:
            if file.endswith(".py"):
                path = Path(folder, file)
                yield path, path.relative_to(ROOT).parts


def test_only_the_app_that_defines_a_signal_sends_it():
    defined = {}  # signal name -> the app (top-level package) that defines it
    for path, parts in _app_sources():
        for name in re.findall(r"^(\w+)\s*=\s*Signal\(", path.read_text(encoding="utf-8"), re.MULTILINE):
            defined[name] = parts[0]
    assert defined["enrollment_changed"] == "groups"
    assert defined["staff_assignment_changed"] == "groups"

    senders = []
    for path, parts in _app_sources():
        text = path.read_text(encoding="utf-8")
        for name, app in defined.items():
            if parts[0] != app and re.search(rf"\b{name}\s*\.\s*send(_robust)?\s*\(", text):
                senders.append(f"{'/'.join(parts)}: {name}")
    assert senders == []
