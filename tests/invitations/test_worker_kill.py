"""A real Celery worker is killed with SIGKILL in the middle of a bulk dispatch and started again:
every recipient still gets exactly one SMS. What the killed worker held comes back by the broker or by
beat's stuck-dispatch sweep (tests/killed_workers.py says when each)."""

import datetime
import os
import signal
import time
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from bench.invitations_dispatch import bench_env, sms_counts, start_worker, stop_worker
from colleges.models import Role
from invitations.models import Invitation
from invitations.services import bulk_dispatch_create, bulk_dispatch_requeue_stuck
from sferum_admin.celery import app
from tests import factories
from tests.killed_workers import forget_unacked, unacked_key, wait_sweeping

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.race]

RECIPIENTS = 1500
# The queue of tests/invitations/worker_app.py (not imported here: it reconfigures the app it loads).
QUEUE = "invitations-kill-test"


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize(
    "worker_app",
    [
        "tests.invitations.worker_app",
        # The same, with the window in which a kill loses a batch from the broker widened.
        "tests.invitations.worker_app_late_record",
    ],
)
def test_killed_and_restarted_worker_sends_each_recipient_exactly_one_message(
    tmp_path, monkeypatch, settings, worker_app
):
    sms_file = str(tmp_path / "sms.jsonl")
    env = bench_env(_database_url(), sms_file)
    env.update(
        {
            "CELERY_APP": worker_app,
            "INVITATION_DISPATCH_BATCH": "50",
            # The worker unseals the tokens the test process sealed: one SECRET_KEY, as in any deploy.
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        }
    )
    default_queue = app.conf.task_default_queue
    app.conf.task_always_eager = False
    app.conf.task_default_queue = QUEUE
    monkeypatch.setenv("INVITATION_DISPATCH_BATCH", "50")
    settings.INVITATION_DISPATCH_BATCH = 50
    # The sweep's «stuck for a quarter of an hour», shortened: wait_sweeping runs it only when the broker is idle.
    settings.STUCK_WORK_MINUTES = 0
    conn = app.connection_for_write()
    redis = conn.default_channel.client
    conn.default_channel.queue_purge(QUEUE)
    forget_unacked(redis, QUEUE)
    college = factories.CollegeFactory()
    admin = factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR).user
    group = factories.StudyGroupFactory(college=college)
    worker = start_worker(env, str(tmp_path / "worker-1.log"))
    try:
        dispatch = bulk_dispatch_create(
            actor=admin,
            college=college,
            role=Role.STUDENT,
            group=group,
            expires_at=timezone.now() + datetime.timedelta(days=1),
            recipients=[{"name": f"Обучающийся {i}", "phone": f"+7994{i:07d}"} for i in range(RECIPIENTS)],
        )
        assert _wait(lambda: sum(sms_counts(sms_file).values()) >= 200, 60), (
            "the worker sent nothing: " + (tmp_path / "worker-1.log").read_text(errors="replace")[-2000:]
        )

        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        sent_before_restart = sum(sms_counts(sms_file).values())
        worker = start_worker(env, str(tmp_path / "worker-2.log"))
        waiting = Invitation.objects.filter(dispatch=dispatch, delivery_status__in=["queued", "failed"])
        finished, swept = wait_sweeping(
            lambda: not waiting.exists(),
            sweep=bulk_dispatch_requeue_stuck,
            redis=redis,
            queue=QUEUE,
            prefix=QUEUE,
            timeout=120,
        )
        broker = f"queued {redis.llen(QUEUE)}, unacknowledged {redis.hlen(unacked_key(QUEUE))}"
    finally:
        stop_worker(worker)
        conn.release()
        app.conf.task_always_eager = True
        app.conf.task_default_queue = default_queue

    counts = sms_counts(sms_file)
    statuses = dict(Invitation.objects.filter(dispatch=dispatch).values_list("recipient_phone", "delivery_status"))
    assert finished, (
        f"not finished: {sum(counts.values())} SMS written, statuses {Counter(statuses.values())}, "
        f"broker {broker}, sweeps {swept}; worker 2: " + (tmp_path / "worker-2.log").read_text(errors="replace")[-2000:]
    )
    assert sent_before_restart < RECIPIENTS  # the kill really hit the middle of the dispatch
    # Nobody gets two messages, whatever was redelivered.
    assert max(counts.values()) == 1
    # Everyone recorded as sent got exactly one; the only others are the few in flight at the kill
    # (at most one per worker process), flagged «исход неизвестен», never sent twice.
    assert all(counts[phone] == 1 for phone, status in statuses.items() if status == "sent")
    unknown = [phone for phone, status in statuses.items() if status == "unknown"]
    assert len(unknown) <= 2
    assert set(statuses) - set(counts) <= set(unknown)
    assert set(statuses.values()) <= {"sent", "unknown"}
