"""Benchmark: a 10,000-student roster imported end to end, the way the import page does it, on both databases.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sferum .venv/bin/python bench/roster_import.py [--students 10000]

Runs the same scenario twice, each in a child process of its own (Django is set up once per process):

* **PostgreSQL** — a fresh database (``sferum_bench_mov`` next to the one in DATABASE_URL), the apply
  done by a real Celery worker started here on its own queue and Redis database (REDIS_DB of the server
  in REDIS_URL, default redis://127.0.0.1:6379), as in production;
* **SQLite** — a fresh file in a temporary folder, no Redis, Celery tasks run in-process: what
  ``make run`` gives a newcomer.

Each migrates, loads the demo college (``seed_demo``) for its groups, generates a cp1251 «;» roster
of new students, then runs the services the page calls: upload + dry run, then the apply (through
the owning apps' bulk services). A second pass moves every student to another group (10,000
transfers), a third re-imports the same file (changes nothing). Prints students/s for each phase
and, on PostgreSQL, the rate of a raw COPY of as many rows for comparison. The goal, at least
2,000 students/s for the apply, is PostgreSQL's; the SQLite figure is printed beside it.
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
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._support import database_urls, flush_redis, recreate_database, redis_url

DB_NAME = "sferum_bench_mov"
REDIS_DB = 6  # the bench's own Redis database, emptied before the run
QUEUE = "bench-roster-import"
GOAL = 2000


def _roster(groups: list[str], n: int, seed: int) -> bytes:
    rng = random.Random(seed)
    surnames = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов"]
    names = ["Иван", "Алексей", "Дмитрий", "Сергей", "Андрей", "Михаил", "Никита", "Егор"]
    lines = ["Фамилия;Имя;Отчество;Телефон;Группа;Дата рождения"]
    for i in range(n):
        lines.append(
            f"{rng.choice(surnames)};{rng.choice(names)};Иванович;"
            f"8{9_500_000_000 + i};{groups[i % len(groups)]};"
            f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(2005, 2010)}"
        )
    return ("\n".join(lines) + "\n").encode("cp1251")


def _wait_applied(batch_id: int, meter: "_CpuMeter", timeout: float = 600) -> None:
    from movement.models import ImportBatch

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        meter.sample()
        status = ImportBatch.objects.filter(pk=batch_id).values_list("status", flat=True).get()
        if status != ImportBatch.Status.APPLYING:
            if status != ImportBatch.Status.APPLIED:
                raise SystemExit(f"batch {batch_id} ended {status}")
            return
        time.sleep(0.05)
    raise SystemExit("the import did not finish in time")


def _phase(label: str, n: int, seconds: float) -> float:
    rate = n / seconds
    print(f"{label:<48} {n:>6} students in {seconds:6.2f} s = {rate:8.0f} students/s", flush=True)
    return rate


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _applying_processes(worker: subprocess.Popen | None) -> list[int]:
    """Whoever does the apply: this process (SQLite) or the worker with its pool, and their PostgreSQL backends."""
    from django.db import connection

    if worker is None:
        return [os.getpid()]
    pids = [worker.pid]
    try:
        pids += [int(p) for p in Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()]
    except FileNotFoundError:
        pass
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids += [pid for (pid,) in cursor.fetchall()]
    return pids


class _CpuMeter:
    """CPU seconds the applying processes use from ``start()`` on.

    Sampled while they work, because the worker closes its database connection after each task and
    the backend's CPU goes with it (what runs between the last sample and that exit is not counted).
    """

    def __init__(self, worker: subprocess.Popen | None):
        self.worker = worker
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}

    def sample(self) -> None:
        for pid in _applying_processes(self.worker):
            self.last[pid] = _cpu_seconds([pid])

    def start(self) -> None:
        self.sample()
        self.first = dict(self.last)

    def seconds(self) -> float:
        return sum(cpu - self.first.get(pid, 0) for pid, cpu in self.last.items())


def _start_worker(env: dict) -> subprocess.Popen:
    from sferum_admin.celery import app

    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "sferum_admin", "worker", "-Q", QUEUE, "--concurrency=1"]
        + ["--loglevel=WARNING", "-n", "bench-mov@%h"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Wait for this worker (not any other on the same Redis) so the apply timing excludes its start-up.
    me = [f"bench-mov@{socket.gethostname()}"]
    deadline = time.monotonic() + 60
    while not app.control.inspect(timeout=1, destination=me).ping() and time.monotonic() < deadline:
        pass
    return worker


def _stop(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)


def run_scenario(n: int, database: str, env: dict) -> None:
    """One database: seed, then enrol, transfer and re-import ``n`` students. Runs in a child process."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from colleges.models import Membership, Role
    from groups.models import Enrollment, StudyGroup
    from movement import services
    from movement.models import Movement
    from sferum_admin.celery import app

    app.conf.task_default_queue = QUEUE
    call_command("migrate", verbosity=0)
    # The standard demo college: 24 groups, so the roster spreads as in a real college.
    call_command("seed_demo", stdout=io.StringIO())
    administrator = Membership.objects.get(role=Role.ADMINISTRATOR)
    admin, college = administrator.user, administrator.college
    group_names = list(StudyGroup.objects.filter(college=college).values_list("name", flat=True))
    print(f"[{database}] college «{college.short_name}», {len(group_names)} groups; roster of {n} new students")
    worker = _start_worker(env) if database == "postgresql" else None
    apply_where = "Celery worker" if worker else "in-process"
    rates = {}
    try:
        today = datetime.date.today()

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
            meter = _CpuMeter(worker)
            meter.start()
            started = time.perf_counter()
            with transaction.atomic():
                services.import_apply_start(actor=admin, batch=batch)
            _wait_applied(batch.pk, meter)
            apply = time.perf_counter() - started
            meter.sample()
            cpu = meter.seconds()
            moved = Movement.objects.filter(batch=batch).count()
            assert moved == n, moved
            _phase(f"[{database}] {label}: upload + dry run", n, dry)
            rates[label] = _phase(f"[{database}] {label}: apply ({apply_where})", n, apply)
            print(
                f"[{database}] {label}: apply CPU {cpu:.2f} s ({'worker + PostgreSQL' if worker else 'this process'})"
                f" = {n / cpu:.0f} students per CPU second (about the rate with nothing else running)",
                flush=True,
            )

        run("enrol", _roster(group_names, n, seed=1), "new")
        assert Enrollment.objects.filter(college=college, ended_at__isnull=True).count() >= n
        shifted = group_names[1:] + group_names[:1]
        run("transfer", _roster(shifted, n, seed=1), "transfer")

        started = time.perf_counter()
        again = services.import_upload(
            actor=admin,
            college=college,
            name="kontingent.csv",
            data=_roster(shifted, n, seed=1),
            order_number="1-к",
            order_date=today,
            effective_date=today,
        )
        assert again.summary.get("unchanged") == n, again.summary
        _phase(f"[{database}] re-import of the same file: dry run", n, time.perf_counter() - started)
    finally:
        if worker is not None:
            _stop(worker)

    if database == "postgresql":
        # The floor: a raw COPY of as many rows into a table of the same shape.
        buffer = io.StringIO()
        for i in range(n):
            buffer.write(f"Иванов\tИван\tИванович\t+7{9_600_000_000 + i}\tИС-11\t2008-01-01\n")
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_copy (last_name text, first_name text, patronymic text, phone text, "
                "group_name text, birth_date date)"
            )
            started = time.perf_counter()
            cursor.copy_expert("COPY bench_copy FROM STDIN", buffer)
            _phase(f"[{database}] raw PostgreSQL COPY of the same rows", n, time.perf_counter() - started)
        met = "met" if rates["enrol"] >= GOAL else "NOT met"
        print(f"[{database}] goal: apply >= {GOAL} students/s — {met}", flush=True)
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--database", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("--db-name", default=DB_NAME, help="the PostgreSQL database to create and drop")
    parser.add_argument("--redis-db", type=int, default=REDIS_DB, help="the Redis database to empty and use")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_scenario(args.students, args.database, dict(os.environ))
        return
    common = {
        "DJANGO_SETTINGS_MODULE": "sferum_admin.settings",
        "DJANGO_ENV": "development",
        "LOG_LEVEL": "WARNING",
    }
    for database in ("postgresql", "sqlite") if args.database == "both" else (args.database,):
        child = [sys.executable, __file__, "--child", "--database", database, "--students", str(args.students)]
        if database == "postgresql":
            url, maintenance = database_urls(
                os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sferum"), args.db_name
            )
            redis = redis_url(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379", args.redis_db)
            recreate_database(maintenance, args.db_name)
            flush_redis(redis)
            env = {**os.environ, **common, "DATABASE_URL": url, "REDIS_URL": redis}
            env["CELERY_TASK_ALWAYS_EAGER"] = "false"
            try:
                subprocess.run(child, env=env, check=True)
            finally:
                recreate_database(maintenance, args.db_name, drop_only=True)
                flush_redis(redis)
        else:
            with tempfile.TemporaryDirectory() as folder:
                env = {**os.environ, **common, "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3", "REDIS_URL": ""}
                env.pop("CELERY_TASK_ALWAYS_EAGER", None)
                subprocess.run(child, env=env, check=True)


if __name__ == "__main__":
    main()
