"""Several requests assigning different curators to one group at the same moment.

A college has one active administrator (a partial unique index), so the
«two administrators at once» of real life are two of that person's
sessions, or the administrator and a movement applied by Celery; here six
threads, each its own connection and request-like objects, start together.
"""

import threading

import pytest
from django.db import connection

from colleges.models import Role
from groups import services
from groups.models import CuratorAssignment, StudyGroup
from tests import factories


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
