"""Several requests changing one group at the same moment: its curator, its students.

A college has one active administrator (a partial unique index), so the
«two administrators at once» of real life are two of that person's
sessions, or the administrator and a movement applied by Celery; here six
threads, each its own connection and request-like objects, start together.
"""

import threading
from contextlib import nullcontext

import pytest
from django.db import connection, transaction

from colleges.models import Role
from groups import services
from groups.models import CuratorAssignment, StudyGroup
from groups.signals import EnrollmentChange
from tests import factories
from tests.groups.student_counts import assert_student_counts_exact


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_concurrent_curator_assignments_leave_exactly_one_active_curator():
    college = factories.CollegeFactory()
    administrator = factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR).user
    group = factories.StudyGroupFactory(college=college)
    teachers = [factories.MembershipFactory(college=college, role=Role.TEACHER) for _ in range(6)]
    barrier = threading.Barrier(len(teachers))
    errors: list[BaseException] = []

    def assign(teacher):
        try:
            # Each thread loads its own objects, as a separate request would.
            actor = type(administrator).objects.get(pk=administrator.pk)
            barrier.wait()
            services.curator_assign(actor=actor, group=StudyGroup.objects.get(pk=group.pk), teacher=teacher)
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(t,)) for t in teachers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert CuratorAssignment.objects.filter(group=group, ended_at__isnull=True).count() == 1
    assert CuratorAssignment.objects.filter(group=group).count() == len(teachers)


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_concurrent_enrolments_into_one_group_leave_its_student_count_exact():
    college = factories.CollegeFactory()
    group = factories.StudyGroupFactory(college=college)
    students = [factories.MembershipFactory(college=college, role=Role.STUDENT) for _ in range(8)]
    barrier = threading.Barrier(len(students))
    errors: list[BaseException] = []

    def enrol(index, student):
        try:
            target = StudyGroup.objects.get(pk=group.pk)
            barrier.wait()
            # Half of them as an invitation's acceptance does: the count written as its block ends.
            with transaction.atomic(), services.student_counts_deferred() if index % 2 else nullcontext():
                services.enrollment_start(actor=None, student=student, group=target, kind=EnrollmentChange.ENROL)
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=pair) for pair in enumerate(students)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert assert_student_counts_exact() == {group.name: len(students)}
