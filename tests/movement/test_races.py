"""Invariants under real concurrency: threads and a real Celery worker against PostgreSQL and Redis."""

import datetime
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from audit.models import AuditEvent
from colleges.models import Role
from groups.models import Enrollment
from movement import services
from movement.models import Movement, MovementKind
from tests import factories
from tests.killed_workers import forget_unacked, wait_sweeping
from tests.movement.workers import kill_worker, start_worker, wait_for

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]

TODAY = datetime.date.today()
# The unacknowledged-message keys of tests/movement/worker_app.py (not imported here: it reconfigures the
# app it loads).
UNACKED_PREFIX = "movement-kill-test"
ROOT = Path(__file__).resolve().parents[2]


def _pending(college, kind, person, **kwargs) -> Movement:
    return Movement.objects.create(
        college=college,
        kind=kind,
        person=person,
        order_number="1-к",
        order_date=TODAY,
        effective_date=TODAY,
        **kwargs,
    )


def test_200_concurrent_conflicting_transfers_leave_exactly_one_active_enrollment():
    college = factories.CollegeFactory()
    groups = [factories.StudyGroupFactory(college=college) for _ in range(5)]
    student = factories.MembershipFactory(college=college, role=Role.STUDENT)
    factories.EnrollmentFactory(student=student, group=groups[0])
    movements = [
        _pending(college, MovementKind.TRANSFER, student, from_group=groups[0], to_group=groups[1 + i % 4])
        for i in range(200)
    ]
    start = threading.Barrier(40)

    def apply(movement_id: int) -> str:
        try:
            try:
                start.wait(timeout=5)
            except threading.BrokenBarrierError:
                pass
            return services.movement_apply(movement_id=movement_id).status
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(apply, [m.pk for m in movements]))

    active = Enrollment.objects.filter(student=student, ended_at__isnull=True)
    assert active.count() == 1
    assert statuses.count("applied") == 1
    assert statuses.count("failed") == 199
    winner = Movement.objects.get(person=student, status="applied")
    assert active.get().group_id == winner.to_group_id
    assert Enrollment.objects.filter(student=student).count() == 2


def test_the_same_movement_applied_by_many_threads_is_applied_once():
    college = factories.CollegeFactory()
    group = factories.StudyGroupFactory(college=college)
    student = factories.MembershipFactory(college=college, role=Role.STUDENT)
    movement = _pending(college, MovementKind.ENROL, student, to_group=group)

    def apply(_):
        try:
            return services.movement_apply(movement_id=movement.pk).status
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(apply, range(50)))

    assert set(statuses) == {"applied"}
    assert Enrollment.objects.filter(student=student).count() == 1
    assert AuditEvent.objects.filter(action="movement.apply", target_id=str(movement.pk)).count() == 1


def _redis(app):
    """The broker's Redis client, with what an earlier run left unacknowledged under the tests' keys dropped."""
    redis = app.connection_for_write().default_channel.client
    forget_unacked(redis, UNACKED_PREFIX)
    return redis


def test_worker_killed_mid_batch_then_restarted_applies_each_movement_exactly_once():
    from movement.tasks import apply_due_movements, apply_movement
    from sferum_admin.celery import app

    college = factories.CollegeFactory()
    groups = [factories.StudyGroupFactory(college=college) for _ in range(2)]
    students = [factories.MembershipFactory(college=college, role=Role.STUDENT) for _ in range(300)]
    movements = [_pending(college, MovementKind.ENROL, s, to_group=groups[i % 2]) for i, s in enumerate(students)]
    queue = f"movement-kill-{os.getpid()}"
    redis = _redis(app)
    app.conf.task_always_eager = False
    try:
        for m in movements:
            apply_movement.apply_async((m.pk,), queue=queue)
        applied = Movement.objects.filter(pk__in=[m.pk for m in movements], status="applied")
        worker = start_worker(queue=queue)
        try:
            assert wait_for(lambda: applied.count() >= 20, 60), "the worker never started applying"
        finally:
            kill_worker(worker)
        done_at_kill = applied.count()
        assert done_at_kill < 300, "the batch finished before the kill; the test proves nothing"

        worker = start_worker(queue=queue)
        try:
            # A task lost by the broker in the kill is applied by beat's due-movement sweep.
            finished, _ = wait_sweeping(
                lambda: applied.count() == 300,
                sweep=apply_due_movements,
                redis=redis,
                queue=queue,
                prefix=UNACKED_PREFIX,
                timeout=120,
            )
            assert finished, f"{applied.count()} of 300 applied after restart"
        finally:
            kill_worker(worker)
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER

    assert Enrollment.objects.filter(student__in=students).count() == 300
    assert Enrollment.objects.filter(student__in=students, ended_at__isnull=True).count() == 300
    events = AuditEvent.objects.filter(action="movement.apply", target_id__in=[str(m.pk) for m in movements])
    assert events.count() == 300
    assert not Movement.objects.filter(pk__in=[m.pk for m in movements]).exclude(status="applied").exists()


def test_worker_killed_mid_import_then_restarted_records_each_movement_once(settings):
    from movement.models import ImportBatch
    from movement.tasks import import_requeue_stuck, process_import_batch
    from sferum_admin.celery import app

    college = factories.CollegeFactory()
    admin = factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR).user
    for i in range(4):
        factories.StudyGroupFactory(college=college, name=f"ТМ-{i}")
    n = 12_000
    lines = ["Фамилия;Имя;Телефон;Группа"] + [f"Орлов;Пётр;8{9_300_000_000 + i};ТМ-{i % 4}" for i in range(n)]
    batch = services.import_upload(
        actor=admin,
        college=college,
        name="k.csv",
        data="\n".join(lines).encode("cp1251"),
        order_number="1",
        order_date=TODAY,
        effective_date=TODAY,
    )
    assert batch.summary["new"] == n
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.APPLYING, total=n)
    queue = f"movement-import-kill-{os.getpid()}"
    redis = _redis(app)
    # The sweep's «stuck for a quarter of an hour», shortened: wait_sweeping runs it only when the broker is idle.
    settings.STUCK_WORK_MINUTES = 0
    default_queue = app.conf.task_default_queue
    app.conf.task_always_eager = False
    # The sweep queues the batch the way the page does, on the default queue: here the worker's.
    app.conf.task_default_queue = queue
    try:
        process_import_batch.apply_async((batch.pk,), queue=queue)
        progress = ImportBatch.objects.filter(pk=batch.pk)
        worker = start_worker(queue=queue)
        try:
            assert wait_for(lambda: progress.get().processed >= 2000, 60), "the worker never started"
        finally:
            kill_worker(worker)
        assert progress.get().status == ImportBatch.Status.APPLYING, "finished before the kill; proves nothing"
        worker = start_worker(queue=queue)
        try:
            # A task lost by the broker in the kill is queued again by beat's stuck-import sweep.
            finished, _ = wait_sweeping(
                lambda: progress.get().status == ImportBatch.Status.APPLIED,
                sweep=import_requeue_stuck,
                redis=redis,
                queue=queue,
                prefix=UNACKED_PREFIX,
                timeout=120,
            )
            assert finished, f"{progress.get().processed} of {n} processed after restart"
        finally:
            kill_worker(worker)
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
        app.conf.task_default_queue = default_queue

    assert Movement.objects.filter(batch=batch).count() == n
    assert Movement.objects.filter(batch=batch).values("person").distinct().count() == n
    assert Enrollment.objects.filter(college=college, ended_at__isnull=True).count() == n
    assert Enrollment.objects.filter(college=college).count() == n
