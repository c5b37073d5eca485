"""``StudyGroup.student_count``: kept by the enrollment services in the transaction of every start and end."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from colleges.models import Role
from groups import selectors, services
from groups.models import Enrollment, StudyGroup
from groups.signals import EnrollmentChange
from tests import factories
from tests.groups.student_counts import assert_student_counts_exact

pytestmark = pytest.mark.django_db
SEPT = datetime.date(2026, 9, 1)


@pytest.fixture
def groups(college):
    department = factories.DepartmentFactory(college=college)
    return [factories.StudyGroupFactory(college=college, department=department, name=f"ИС-3{i}") for i in range(3)]


def _student(college):
    return factories.MembershipFactory(college=college, role=Role.STUDENT)


def _enrol(college, group):
    student = _student(college)
    return services.enrollment_start(actor=None, student=student, group=group, kind=EnrollmentChange.ENROL)


def test_enrolment_counts_the_student_in_the_group(college, groups):
    _enrol(college, groups[0])
    _enrol(college, groups[0])

    assert assert_student_counts_exact() == {"ИС-30": 2, "ИС-31": 0, "ИС-32": 0}


def test_a_refused_enrolment_counts_nobody(college, groups):
    enrollment = _enrol(college, groups[0])

    with pytest.raises(ValidationError), transaction.atomic():
        services.enrollment_start(actor=None, student=enrollment.student, group=groups[1], kind=EnrollmentChange.ENROL)

    assert assert_student_counts_exact() == {"ИС-30": 1, "ИС-31": 0, "ИС-32": 0}


def test_transfer_moves_the_count_from_one_group_to_the_other(college, groups):
    enrollment = _enrol(college, groups[0])

    services.enrollment_transfer(actor=None, enrollment=enrollment, group=groups[1])

    assert assert_student_counts_exact() == {"ИС-30": 0, "ИС-31": 1, "ИС-32": 0}


@pytest.mark.parametrize("kind", [EnrollmentChange.ACADEMIC_LEAVE, EnrollmentChange.EXPEL, EnrollmentChange.GRADUATE])
def test_an_ended_enrollment_leaves_the_count_once(college, groups, kind):
    enrollment = _enrol(college, groups[0])
    _enrol(college, groups[0])

    services.enrollment_end(actor=None, enrollment=enrollment, kind=kind)
    services.enrollment_end(actor=None, enrollment=enrollment, kind=kind)

    assert assert_student_counts_exact()["ИС-30"] == 1


def test_a_student_leaving_the_college_leaves_the_count(college, groups):
    enrollment = _enrol(college, groups[2])

    services.student_leaves_groups(actor=None, student=enrollment.student, kind=EnrollmentChange.EXPEL)

    assert assert_student_counts_exact()["ИС-32"] == 0


def test_bulk_start_and_end_count_every_group_once_per_student(administrator, college, groups):
    students = factories.MembershipFactory.create_batch(5, college=college, role=Role.STUDENT)
    starts = [services.EnrollmentStart(student_id=s.pk, group_id=groups[i % 2].pk) for i, s in enumerate(students)]

    ids = services.enrollments_start_many(actor=administrator, college=college, starts=starts, started_at=SEPT)
    started = assert_student_counts_exact()
    services.enrollments_end_many(
        actor=administrator, college=college, enrollment_ids=ids[:3], ended_at=SEPT, kind=EnrollmentChange.EXPEL
    )

    assert started == {"ИС-30": 3, "ИС-31": 2, "ИС-32": 0}
    assert assert_student_counts_exact() == {"ИС-30": 1, "ИС-31": 1, "ИС-32": 0}


def test_a_failed_bulk_start_counts_nobody(administrator, college, groups):
    enrolled = _enrol(college, groups[0]).student
    newcomer = _student(college)
    starts = [
        services.EnrollmentStart(student_id=newcomer.pk, group_id=groups[1].pk),
        services.EnrollmentStart(student_id=enrolled.pk, group_id=groups[1].pk),
    ]

    with pytest.raises(ValidationError), transaction.atomic():
        services.enrollments_start_many(actor=administrator, college=college, starts=starts, started_at=SEPT)

    assert assert_student_counts_exact() == {"ИС-30": 1, "ИС-31": 0, "ИС-32": 0}


def test_deferred_counts_are_written_when_the_block_ends(college, groups):
    with transaction.atomic():
        with services.student_counts_deferred():
            _enrol(college, groups[0])
            _enrol(college, groups[1])
            during = list(StudyGroup.objects.order_by("name").values_list("student_count", flat=True))
        after = list(StudyGroup.objects.order_by("name").values_list("student_count", flat=True))

    assert (during, after) == ([0, 0, 0], [1, 1, 0])
    assert_student_counts_exact()


def test_a_savepoint_rolled_back_inside_a_deferred_block_takes_its_count_with_it(college, groups):
    with transaction.atomic(), services.student_counts_deferred():
        _enrol(college, groups[0])
        with pytest.raises(RuntimeError), transaction.atomic():
            _enrol(college, groups[1])
            raise RuntimeError

    assert assert_student_counts_exact() == {"ИС-30": 1, "ИС-31": 0, "ИС-32": 0}


def test_the_list_and_the_groups_without_students_read_the_count(college, groups):
    _enrol(college, groups[1])

    rows = {row["name"]: row["student_count"] for row in selectors.study_group_rows(college=college)}
    empty = set(selectors.groups_without_students(college=college).values_list("name", flat=True))
    figures = selectors.college_figures(college=college)

    assert rows == {"ИС-30": 0, "ИС-31": 1, "ИС-32": 0}
    assert empty == {"ИС-30", "ИС-32"}
    assert figures["without_students"] == 2


def test_the_migration_fills_the_count_from_the_enrollments(college, groups):
    from importlib import import_module

    from django.apps import apps

    _enrol(college, groups[0])
    ended = _enrol(college, groups[0])
    Enrollment.objects.filter(pk=ended.pk).update(ended_at=SEPT)
    StudyGroup.objects.update(student_count=0)

    import_module("groups.migrations.0006_add_study_group_student_count").fill_student_counts(apps, None)

    assert assert_student_counts_exact() == {"ИС-30": 1, "ИС-31": 0, "ИС-32": 0}


def test_the_demo_college_is_seeded_with_its_groups_counts():
    from django.core.management import call_command

    call_command("seed_demo", "--students", "120", stdout=StringIO())

    counts = assert_student_counts_exact()
    assert sum(counts.values()) == 120
