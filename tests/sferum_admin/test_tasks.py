"""Every task keeps its name (queued messages find it after a move) and retries a transient failure."""

import pytest
from celery import shared_task
from django.db import OperationalError

from core.tasks import RetryingTask
from sferum_admin.celery import app

# The names messages already in the broker carry. A task moved or renamed must keep its entry here.
EXPECTED_TASKS = {
    "groups.movement.tasks.apply_due_movements",
    "groups.movement.tasks.apply_movement",
    "groups.movement.tasks.import_requeue_stuck",
    "groups.movement.tasks.process_import_batch",
    "groups.movement.tasks.process_rollback_batch",
    "groups.movement.tasks.process_rollover_batch",
    "invitations.bulk_dispatch_requeue_stuck",
    "invitations.close_for_leaver",
    "invitations.dispatch_send_batch",
    "invitations.notify",
    "invitations.send_link",
    "materials.tasks.material_email_send",
    "materials.tasks.material_notify",
    "materials.tasks.material_notify_due",
    "materials.tasks.material_uploads_discard_stale",
    "notifications.tasks.send_message",
    "notifications.tasks.send_email_batch",
    "notifications.tasks.push_deliveries_prune",
    "notifications.tasks.push_send",
    "sferum_admin.ping",
    "chats.tasks.sync_all",
    "broadcasts.tasks.sessions_remind_due",
    "announcements.tasks.announcement_notify",
    "broadcasts.tasks.session_remind",
    "broadcasts.tasks.session_reminder_email_send",
    "chats.tasks.sync_group",
    "chats.tasks.sync_members",
    "chats.tasks.sync_roster",
    "chats.tasks.group_changed",
    "chats.tasks.sync_college",
    "chats.tasks.push_message",
}

_calls: list[int] = []


@shared_task(name="tests.flaky_database", base=RetryingTask, bind=True)
def flaky_database(self, failures: int) -> int:
    _calls.append(self.request.retries)
    if len(_calls) <= failures:
        raise OperationalError("server closed the connection unexpectedly")
    return len(_calls)


def _project_tasks() -> dict:
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith(("celery.", "tests."))}


def test_registered_task_names_are_pinned():
    assert set(_project_tasks()) == EXPECTED_TASKS


def test_every_project_task_retries_transient_errors_and_acknowledges_late():
    for name, task in _project_tasks().items():
        if name == "sferum_admin.ping":
            continue
        assert isinstance(task, RetryingTask), name
        assert task.acks_late and task.reject_on_worker_lost, name
        assert OperationalError in tuple(task.autoretry_for) or Exception in tuple(task.autoretry_for), name


@pytest.fixture
def calls():
    _calls.clear()
    yield _calls
    _calls.clear()


def test_task_hitting_a_dropped_database_connection_is_retried_then_succeeds(settings, calls):
    result = flaky_database.apply(args=[2])

    assert result.successful() and result.result == 3
    assert calls == [0, 1, 2]


def test_task_gives_up_after_its_retries(calls):
    with pytest.raises(OperationalError):
        flaky_database.apply(args=[100], throw=True)

    assert len(calls) == RetryingTask.max_retries + 1


def test_retry_waits_longer_each_time_up_to_ten_minutes():
    from celery.utils.time import get_exponential_backoff_interval

    waits = [
        get_exponential_backoff_interval(factor=1, retries=n, maximum=RetryingTask.retry_backoff_max, full_jitter=False)
        for n in range(12)
    ]

    assert waits[:4] == [1, 2, 4, 8]
    assert waits[-1] == 600


def test_in_process_mode_retries_in_place_rather_than_raising_into_the_page(calls):
    assert app.conf.task_always_eager and app.conf.task_eager_propagates

    result = flaky_database.delay(1)

    assert result.successful() and result.result == 2
    assert calls == [0, 1]
