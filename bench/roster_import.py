"""Benchmark: a 10,000-student roster imported end to end, the way the import page does it.

    .venv/bin/python bench/roster_import.py [--students 10000]

Creates its own database (sferum_bench_mov), migrates it, loads the demo college
(``seed_demo``) for its groups, generates a cp1251 «;» roster of new students,
then runs the same services the page calls: upload + dry run in this process,
apply by a real Celery worker (started here, on its own queue). A second pass
moves every student to another group (10,000 transfers). Prints students/s for
each phase and, for comparison, the rate of a raw PostgreSQL COPY of the same
number of rows. Drops the database at the end.
"""

import argparse
import datetime
import io
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "sferum_bench_mov"
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
QUEUE = "bench-roster-import"


def _admin_sql(sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(f"{PG}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


def _roster(groups: list[str], n: int, seed: int, phone_base: int) -> bytes:
    rng = random.Random(seed)
    surnames = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов"]
    names = ["Иван", "Алексей", "Дмитрий", "Сергей", "Андрей", "Михаил", "Никита", "Егор"]
    lines = ["Фамилия;Имя;Отчество;Телефон;Группа;Дата рождения"]
    for i in range(n):
        lines.append(
            f"{rng.choice(surnames)};{rng.choice(names)};Иванович;"
            f"8{9_500_000_000 + phone_base + i};{groups[i % len(groups)]};"
            f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(2005, 2010)}"
        )
    return ("\n".join(lines) + "\n").encode("cp1251")


def _wait_applied(batch_id: int, timeout: float = 600) -> None:
    from groups.movement.models import ImportBatch

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = ImportBatch.objects.filter(pk=batch_id).values_list("status", flat=True).get()
        if status != ImportBatch.Status.APPLYING:
            if status != ImportBatch.Status.APPLIED:
                raise SystemExit(f"batch {batch_id} ended {status}")
            return
        time.sleep(0.05)
    raise SystemExit("the worker did not finish in time")


def _phase(label: str, n: int, seconds: float) -> None:
    print(f"{label:<44} {n:>6} students in {seconds:6.2f} s = {n / seconds:8.0f} students/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=10_000)
    args = parser.parse_args()
    n = args.students

    _admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME}")
    _admin_sql(f"CREATE DATABASE {DB_NAME}")
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "REDIS_URL": REDIS,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "sferum_admin.settings",
        "DJANGO_ENV": "development",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    worker = None
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction

        from colleges.models import Membership, Role
        from groups.models import Enrollment, StudyGroup
        from groups.movement import services
        from groups.movement.models import Movement
        from sferum_admin.celery import app

        app.conf.task_default_queue = QUEUE
        call_command("migrate", verbosity=0)
        # The standard demo college: 24 groups, so the roster spreads as in a real college.
        call_command("seed_demo", stdout=io.StringIO())
        admin = Membership.objects.get(role=Role.ADMINISTRATOR).user
        college = Membership.objects.get(role=Role.ADMINISTRATOR).college
        group_names = list(StudyGroup.objects.filter(college=college).values_list("name", flat=True))
        print(f"college «{college.short_name}», {len(group_names)} groups; roster of {n} new students")

        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "sferum_admin",
                "worker",
                "-Q",
                QUEUE,
                "--concurrency=1",
                "--loglevel=WARNING",
                "-n",
                "bench-mov@%h",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        ping_deadline = time.monotonic() + 60
        # Wait for this worker (not any other on the same Redis) so the apply timing excludes its start-up.
        me = [f"bench-mov@{socket.gethostname()}"]
        while not app.control.inspect(timeout=1, destination=me).ping() and time.monotonic() < ping_deadline:
            pass

        today = datetime.date.today()
        data = _roster(group_names, n, seed=1, phone_base=0)
        results = []

        def run(label: str, data: bytes, expect: str) -> None:
            started = time.perf_counter()
            batch = services.import_upload(
                actor=admin,
                college=college,
                name="kontingent.csv",
                data=data,
                order_number="1-к",
                order_date=today,
                effective_date=today,
            )
            dry = time.perf_counter() - started
            assert batch.summary.get(expect) == n, batch.summary
            started = time.perf_counter()
            with transaction.atomic():
                services.import_apply_start(actor=admin, batch=batch)
            _wait_applied(batch.pk)
            apply = time.perf_counter() - started
            moved = Movement.objects.filter(batch=batch).count()
            assert moved == n, moved
            results.append((f"{label}: upload + dry run", dry))
            results.append((f"{label}: apply (Celery worker)", apply))
            _phase(f"{label}: upload + dry run", n, dry)
            _phase(f"{label}: apply (Celery worker)", n, apply)

        run("enrol", data, "new")
        assert Enrollment.objects.filter(college=college, ended_at__isnull=True).count() >= n
        shifted = group_names[1:] + group_names[:1]
        run("transfer", _roster(shifted, n, seed=1, phone_base=0), "transfer")

        # Re-importing the same file changes nothing.
        started = time.perf_counter()
        again = services.import_upload(
            actor=admin,
            college=college,
            name="kontingent.csv",
            data=_roster(shifted, n, seed=1, phone_base=0),
            order_number="1-к",
            order_date=today,
            effective_date=today,
        )
        assert again.summary.get("unchanged") == n, again.summary
        _phase("re-import of the same file: dry run", n, time.perf_counter() - started)

        # The floor: a raw COPY of as many rows into a table of the same shape.
        buffer = io.StringIO()
        for i in range(n):
            buffer.write(f"Иванов\tИван\tИванович\t+7{9_600_000_000 + i}\tИС-11\t2008-01-01\n")
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_copy (last_name text, first_name text, patronymic text, phone text, "
                "group_name text, birth_date date)"
            )
            buffer.seek(0)
            started = time.perf_counter()
            cursor.copy_expert("COPY bench_copy FROM STDIN", buffer)
            copy = time.perf_counter() - started
        _phase("raw PostgreSQL COPY of the same rows", n, copy)
        target = 2000
        apply_rate = n / dict(results)["enrol: apply (Celery worker)"]
        print(f"goal: apply >= {target} students/s — {'met' if apply_rate >= target else 'NOT met'}")
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        from django.db import connections

        connections.close_all()
        _admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
