"""A real Celery worker is killed with SIGKILL in the middle of a bulk dispatch and started again:
every recipient still gets exactly one SMS."""

import datetime
import os
import signal
import time

import pytest
from django.db import connection
from django.utils import timezone

from bench.invitations_dispatch import bench_env, sms_counts, start_worker, stop_worker
from colleges.models import Role
from invitations.models import Invitation
from invitations.services import bulk_dispatch_create
from sferum_admin.celery import app
from tests import factories

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


def test_killed_and_restarted_worker_sends_each_recipient_exactly_one_message(tmp_path, monkeypatch, settings):
    sms_file = str(tmp_path / "sms.jsonl")
    env = bench_env(_database_url(), sms_file)
    env.update(
        {
            "CELERY_APP": "tests.invitations.worker_app",
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
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)
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
        finished = _wait(
            lambda: not Invitation.objects.filter(dispatch=dispatch, delivery_status__in=["queued", "failed"]).exists(),
            120,
        )
    finally:
        stop_worker(worker)
        app.conf.task_always_eager = True
        app.conf.task_default_queue = default_queue

    counts = sms_counts(sms_file)
    assert finished, f"not finished: {sum(counts.values())} SMS written"
    assert sent_before_restart < RECIPIENTS  # the kill really hit the middle of the dispatch
    # Nobody gets two messages, whatever was redelivered.
    assert max(counts.values()) == 1
    # Everyone recorded as sent got exactly one; the only others are the few in flight at the kill
    # (at most one per worker process), flagged «исход неизвестен», never sent twice.
    statuses = dict(Invitation.objects.filter(dispatch=dispatch).values_list("recipient_phone", "delivery_status"))
    assert all(counts[phone] == 1 for phone, status in statuses.items() if status == "sent")
    unknown = [phone for phone, status in statuses.items() if status == "unknown"]
    assert len(unknown) <= 2
    assert set(statuses) - set(counts) <= set(unknown)
    assert set(statuses.values()) <= {"sent", "unknown"}
