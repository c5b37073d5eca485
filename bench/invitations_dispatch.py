"""10,000 personal invitations through a real Celery worker, against the file SMS backend.

What it does, in one run:

1. creates a fresh PostgreSQL database (``sferum_bench_inv`` next to the one in
   DATABASE_URL), migrates it and creates a college, a study group and its
   administrator;
2. starts a real Celery worker (prefork, ``--concurrency 2``) on the Redis in
   REDIS_URL with the file SMS backend;
3. sends PINGS no-op tasks (``sferum_admin.ping``) and times the worker until
   all have run: the bare task rate of this worker;
4. creates a bulk dispatch of RECIPIENTS personal invitations (the commit
   queues the batches) and times the worker until every invitation is «sent»:
   deliveries/s (goal ≥ 1,000);
5. checks the SMS file: every recipient got exactly one message;
6. stops the worker and drops the database.

Usage: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/sferum REDIS_URL=redis://127.0.0.1:6379/5
.venv/bin/python bench/invitations_dispatch.py``. Options: ``--recipients``, ``--pings``, ``--batch``, ``--keep``.
The Redis database in REDIS_URL is purged of queued tasks first: give the bench its own.
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench._support import database_urls as _database_urls
from bench._support import recreate_database as _recreate_database

DB_NAME = "sferum_bench_inv"
GOAL_DELIVERIES_PER_SECOND = 1000
DEADLINE = 600


def start_worker(env: dict[str, str], logfile: str) -> subprocess.Popen:
    """A real worker in its own process group (so it can be killed whole), ready when this returns."""
    log = open(logfile, "ab")
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            env.get("CELERY_APP", "sferum_admin"),
            "worker",
            "--concurrency",
            "2",
            "--pool",
            "prefork",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=BASE_DIR,
        # The project's logging config prints to stderr; INFO carries celery's «Task … succeeded» lines.
        env={**env, "LOG_LEVEL": "INFO"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit(f"the worker exited with {worker.returncode}; see {logfile}")
        if Path(logfile).exists() and "ready." in Path(logfile).read_text(errors="replace"):
            return worker
        time.sleep(0.2)
    stop_worker(worker)
    raise SystemExit(f"the worker did not become ready; see {logfile}")


def stop_worker(worker: subprocess.Popen, *, sig: int | None = None) -> None:
    import signal

    if worker.poll() is not None:
        return
    try:
        os.killpg(worker.pid, sig or signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def _succeeded(logfile: str, task_name: str) -> int:
    try:
        text = Path(logfile).read_text(errors="replace")
    except FileNotFoundError:
        return 0
    return sum(1 for line in text.splitlines() if f"Task {task_name}[" in line and "succeeded" in line)


def _ping_rate(logfile: str, pings: int) -> float:
    from sferum_admin.celery import ping

    before = _succeeded(logfile, "sferum_admin.ping")
    started = time.perf_counter()
    for _ in range(pings):
        ping.delay()
    deadline = time.monotonic() + DEADLINE
    while _succeeded(logfile, "sferum_admin.ping") - before < pings:
        if time.monotonic() > deadline:
            raise SystemExit("the pings did not finish in time")
        time.sleep(0.05)
    return pings / (time.perf_counter() - started)


def _setup():
    import datetime

    from django.utils import timezone

    from accounts.models import User
    from colleges.models import College, Department, Membership, Role
    from groups.models import StudyGroup

    college = College.objects.create(
        full_name="ГБПОУ «Колледж для замера»",
        short_name="Колледж для замера",
        inn="7700000001",
        ogrn="1027700000001",
        region="Тверская область",
        address="г. Тверь",
    )
    department = Department.objects.create(college=college, name="Отделение")
    group = StudyGroup.objects.create(college=college, department=department, name="ИС-21", admission_year=2026)
    admin = User.objects.create_user(phone="+79990000000", last_name="Администратор")
    Membership.objects.create(user=admin, college=college, role=Role.ADMINISTRATOR)
    return college, group, admin, timezone.now() + datetime.timedelta(days=7)


def _dispatch(recipients: int) -> tuple[int, float]:
    """Create the dispatch; returns (dispatch id, the moment its batches were queued)."""
    from django.db import transaction

    from colleges.models import Role
    from invitations.services import bulk_dispatch_create

    college, group, admin, expires_at = _setup()
    people = [{"name": f"Обучающийся {i}", "phone": f"+7993{i:07d}"} for i in range(recipients)]
    with transaction.atomic():
        dispatch = bulk_dispatch_create(
            actor=admin, college=college, role=Role.STUDENT, group=group, expires_at=expires_at, recipients=people
        )
        queued_at = time.perf_counter()  # the batches go to the broker as this block commits
    return dispatch.pk, queued_at


def _wait_sent(dispatch_id: int) -> None:
    from invitations.models import Invitation

    deadline = time.monotonic() + DEADLINE
    while Invitation.objects.filter(dispatch_id=dispatch_id, delivery_status__in=["queued", "failed"]).exists():
        if time.monotonic() > deadline:
            raise SystemExit("the dispatch did not finish in time")
        time.sleep(0.05)


def sms_counts(path: str) -> Counter:
    counts: Counter = Counter()
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                counts[json.loads(line)["phone"]] += 1
    except FileNotFoundError:
        pass
    return counts


def bench_env(database_url: str, sms_file: str) -> dict[str, str]:
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sferum_admin.settings",
        "DJANGO_ENV": "development",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", secrets.token_urlsafe(50)),
        "DATABASE_URL": database_url + ("&" if "?" in database_url else "?") + "conn_max_age=600",
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "SMS_BACKEND": "notifications.backends.FileSmsBackend",
        "SMS_FILE_PATH": sms_file,
        "LOG_LEVEL": "WARNING",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=10000)
    parser.add_argument("--pings", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=200, help="invitations per task")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sferum")
    bench_url, maintenance_url = _database_urls(base, DB_NAME)
    workdir = tempfile.mkdtemp(prefix="sferum-bench-inv-")
    sms_file = os.path.join(workdir, "sms.jsonl")
    logfile = os.path.join(workdir, "worker.log")
    env = bench_env(bench_url, sms_file)
    env["INVITATION_DISPATCH_BATCH"] = str(args.batch)
    os.environ.update(env)
    _recreate_database(maintenance_url, DB_NAME)
    worker = None
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True
        )
        import django

        django.setup()
        from sferum_admin.celery import app

        app.control.purge()
        worker = start_worker(env, logfile)

        ping_rate = _ping_rate(logfile, args.pings)
        dispatch_id, queued_at = _dispatch(args.recipients)
        _wait_sent(dispatch_id)
        elapsed = time.perf_counter() - queued_at
        counts = sms_counts(sms_file)

        from invitations import conf

        print(
            f"worker: prefork, concurrency 2; batch {args.batch} invitations per task; "
            f"async commit in batches: {conf.dispatch_async_commit()}; load average: {os.getloadavg()[0]:.1f} "
            f"on {os.cpu_count()} CPUs"
        )
        print(f"no-op task rate (sferum_admin.ping, {args.pings} tasks): {ping_rate:.0f} tasks/s")
        print(
            f"deliveries/s: {args.recipients / elapsed:.0f} ({args.recipients} personal invitations in "
            f"{elapsed:.2f}s; goal ≥ {GOAL_DELIVERIES_PER_SECOND})"
        )
        once = len(counts) == args.recipients and set(counts.values()) == {1}
        print(f"SMS written: {sum(counts.values())} to {len(counts)} recipients; exactly once each: {once}")
        if not once:
            raise SystemExit(1)
    finally:
        if worker is not None:
            stop_worker(worker)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _recreate_database(maintenance_url, DB_NAME, drop_only=True)


if __name__ == "__main__":
    main()
