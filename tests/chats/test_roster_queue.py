"""Roster changes gathered per college (chats.roster_queue): a rush of changes costs one task, which syncs
them all; a failed task puts its entries back; without Redis each change queues its own task."""

import datetime

import pytest

from chats import roster_queue, tasks
from chats.models import Chat, ChatKind, ChatMember
from colleges.models import Role
from colleges.services import membership_create_unchecked, membership_end_unchecked, memberships_add_many_unchecked
from groups.services import EnrollmentStart, enrollment_start, enrollments_start_many
from groups.signals import EnrollmentChange
from tests import factories
from tests.chats.conftest import member, student_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def gathered(world):
    """Changes gathered in Redis, this college's left empty before and after."""
    if roster_queue.redis_client() is None:
        pytest.skip("changes are gathered in Redis: set REDIS_URL")
    roster_queue.roster_take(world.college.pk)
    yield
    roster_queue.roster_take(world.college.pk)


@pytest.fixture
def synced(monkeypatch):
    """Without Redis (each change syncs at once): the entries of every sync run, in order."""
    monkeypatch.setattr(roster_queue, "redis_client", lambda: None)
    runs = []
    real_sync = roster_queue.roster_sync
    monkeypatch.setattr(
        roster_queue, "roster_sync", lambda college_id, items: runs.append(items) or real_sync(college_id, items)
    )
    return runs


def current(chat, membership) -> bool:
    return ChatMember.objects.filter(chat=chat, member=membership, left_at__isnull=True, banned=False).exists()


def college_chat(world) -> Chat:
    return Chat.objects.get(college=world.college, kind=ChatKind.COLLEGE)


def enrol_newcomers(world, count: int, django_capture_on_commit_callbacks) -> list:
    newcomers = [member(world.college, Role.STUDENT) for _ in range(count)]
    for newcomer in newcomers:
        with django_capture_on_commit_callbacks(execute=True):
            enrollment_start(actor=None, student=newcomer, group=world.group, kind=EnrollmentChange.ENROL)
    return newcomers


def test_changes_of_one_college_queue_one_task_that_syncs_them_all(
    world, gathered, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.sync_roster, "apply_async", lambda args, **kwargs: queued.append(args))

    newcomers = enrol_newcomers(world, 3, django_capture_on_commit_callbacks)

    assert queued == [(world.college.pk,)]
    assert not any(current(world.group_chat, n) for n in newcomers)

    assert tasks.sync_roster(world.college.pk) == 6  # three in the group's chats, three in the college's

    assert all(current(world.group_chat, n) and current(college_chat(world), n) for n in newcomers)
    # Taken: the next change queues the next task, and nothing is left for it but its own entries.
    assert tasks.sync_roster(world.college.pk) == 0
    enrol_newcomers(world, 1, django_capture_on_commit_callbacks)
    assert queued == [(world.college.pk,), (world.college.pk,)]


def test_a_failed_task_puts_its_entries_back_for_the_retry(
    world, gathered, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks.sync_roster, "apply_async", lambda args, **kwargs: None)
    (newcomer,) = enrol_newcomers(world, 1, django_capture_on_commit_callbacks)

    def broken(college_id, items):
        raise RuntimeError("the sync broke")

    with monkeypatch.context() as patch:
        patch.setattr(roster_queue, "roster_sync", broken)
        with pytest.raises(RuntimeError):
            tasks.sync_roster(world.college.pk)
    assert not current(world.group_chat, newcomer)

    assert tasks.sync_roster(world.college.pk) == 2

    assert current(world.group_chat, newcomer) and current(college_chat(world), newcomer)


def test_without_redis_each_change_syncs_at_once(world, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(roster_queue, "redis_client", lambda: None)

    (newcomer,) = enrol_newcomers(world, 1, django_capture_on_commit_callbacks)

    assert current(world.group_chat, newcomer) and current(college_chat(world), newcomer)


def _enrol_in_bulk(world, count: int, django_capture_on_commit_callbacks) -> list:
    newcomers = [member(world.college, Role.STUDENT) for _ in range(count)]
    with django_capture_on_commit_callbacks(execute=True):
        enrollments_start_many(
            actor=None,
            college=world.college,
            starts=[EnrollmentStart(student_id=n.pk, group_id=world.group.pk) for n in newcomers],
            started_at=datetime.date(2025, 9, 1),
        )
    return newcomers


def test_a_bulk_enrolment_gathers_its_students_into_one_command_and_one_task(
    world, gathered, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.sync_roster, "apply_async", lambda args, **kwargs: queued.append(args))
    adds = []
    real_add = roster_queue._ADD
    monkeypatch.setattr(roster_queue, "_ADD", lambda **kw: adds.append(kw["args"][2:]) or real_add(**kw))

    newcomers = _enrol_in_bulk(world, 4, django_capture_on_commit_callbacks)

    assert queued == [(world.college.pk,)]
    assert len(adds) == 1 and len(adds[0]) == 8  # four students, each in the group's and the college's chats
    assert tasks.sync_roster(world.college.pk) == 8
    assert all(current(world.group_chat, n) and current(college_chat(world), n) for n in newcomers)


def test_without_redis_a_bulk_enrolment_syncs_once_for_all(world, synced, django_capture_on_commit_callbacks):
    newcomers = _enrol_in_bulk(world, 3, django_capture_on_commit_callbacks)

    assert len(synced) == 1 and len(synced[0]) == 6
    assert all(current(world.group_chat, n) and current(college_chat(world), n) for n in newcomers)


def test_a_hire_and_a_dismissal_reach_the_college_and_staff_chats_at_once(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """Not at the nightly sync: colleges sends ``staff_changed`` on commit."""
    monkeypatch.setattr(roster_queue, "redis_client", lambda: None)
    with django_capture_on_commit_callbacks(execute=True):
        hired = membership_create_unchecked(
            actor=None, college=world.college, user=factories.UserFactory(), role=Role.TEACHER
        )
    staff_chat = Chat.objects.get(college=world.college, kind=ChatKind.STAFF)

    assert current(staff_chat, hired) and current(college_chat(world), hired)

    with django_capture_on_commit_callbacks(execute=True):
        membership_end_unchecked(actor=None, membership=hired)

    assert not current(staff_chat, hired) and not current(college_chat(world), hired)


def test_staff_hired_in_bulk_are_synced_once(world, synced, django_capture_on_commit_callbacks):
    users = [factories.UserFactory() for _ in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        found = memberships_add_many_unchecked(
            actor=None, college=world.college, role=Role.TEACHER, user_ids=[u.pk for u in users]
        )

    assert len(synced) == 1 and len(synced[0]) == 3
    staff_chat = Chat.objects.get(college=world.college, kind=ChatKind.STAFF)
    assert ChatMember.objects.filter(chat=staff_chat, member_id__in=found.values(), left_at__isnull=True).count() == 3


def test_the_nightly_sync_catches_each_college_up_in_one_sync(world, synced):
    newcomer = student_in(world.group)  # enrolled around the services: no signal told the chats

    assert tasks.sync_all() == 1

    assert len(synced) == 1
    assert current(world.group_chat, newcomer) and current(college_chat(world), newcomer)
